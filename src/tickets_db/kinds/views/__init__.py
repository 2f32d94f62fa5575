"""Views: `create or replace` while the existing columns stay as they are, else dropped (with
the views built on them) and created again."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ...model import View
from ..common import REVOKE_FROM, Change, Comment, Drop, Needs, Op, SetGrants, calls
from ..triggers import compare_table as compare_triggers


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateView(Op):
    view: View
    template: ClassVar[str] = "views/create_view.sql.j2"
    subrank: ClassVar[int] = 0

    @property
    def key(self) -> str:
        return f"view {self.view.qualname}"

    def provides(self) -> set[str]:
        return {f"rel:{self.view.qualname}", f"type:{self.view.qualname}"}

    def requires(self, foreign: Needs) -> set[str]:
        return {f"schema:{self.view.schema}"} | calls(self.view.query)


def compare(d: Change) -> None:
    current = {v.qualname: v for v in d.current.views}
    desired = {v.qualname: v for v in d.desired.views}
    for v in d.authored.views:
        have = current.get(v.qualname)
        want = desired.get(v.qualname, v)
        if have is None or f"view {v.qualname}" in d.rebuild or (have != want and not replaceable(have, want)):
            if have is not None:
                d.add(v.origin, Drop(kind="view", target=v.qualname))
            d.add(v.origin, CreateView(view=v))
            d.add(v.origin, SetGrants(target_kind="view", target=v.qualname, grants=v.grants, revoke_from=REVOKE_FROM))
            if v.comment:
                d.add(v.origin, Comment(target_kind="view", target=v.qualname, text=v.comment))
            compare_triggers(d, v, None, want)
            continue
        if _definition(have) != _definition(want):
            d.add(v.origin, CreateView(view=v))
        if have.grants != want.grants:
            d.add(v.origin, SetGrants(target_kind="view", target=v.qualname, grants=v.grants, revoke_from=REVOKE_FROM))
        if have.comment != want.comment:
            d.add(v.origin, Comment(target_kind="view", target=v.qualname, text=v.comment))
        compare_triggers(d, v, have, want)
    for name in sorted(current.keys() - {v.qualname for v in d.authored.views}):
        d.add(None, Drop(kind="view", target=name))


def _definition(v: View) -> tuple[object, ...]:
    """What `create or replace view` sets."""
    return (v.query, v.security_invoker, v.security_barrier, v.check_option)


def replaceable(have: View, want: View) -> bool:
    """`create or replace view` keeps existing columns (same names, types, order) and may add
    more; it cannot take a `check option` away."""
    old = [(c.name, c.type) for c in have.columns]
    new = [(c.name, c.type) for c in want.columns]
    return bool(old) and new[: len(old)] == old and not (have.check_option and not want.check_option)
