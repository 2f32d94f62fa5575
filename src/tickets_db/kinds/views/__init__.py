"""Views: `create or replace` while the existing columns stay as they are, else dropped (with
the views built on them) and created again."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ...model import View
from ..common import REVOKE_FROM, Change, revoke_from, Comment, Drop, Needs, Op, SetGrants, calls
from ..tables import CreateIndex, keyed
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
        if v.materialized or (have is not None and have.materialized):
            _materialized(d, v, have, want)
            continue
        if have is None or f"view {v.qualname}" in d.rebuild or (have != want and not replaceable(have, want)):
            if have is not None:
                d.add(v.origin, Drop(kind="view", target=v.qualname))
            _create(d, v)
            continue
        if _definition(have) != _definition(want):
            d.add(v.origin, CreateView(view=v))
        if have.grants != want.grants:
            d.add(v.origin, SetGrants(target_kind="view", target=v.qualname, grants=v.grants, revoke_from=revoke_from(have.grants)))
        if have.comment != want.comment:
            d.add(v.origin, Comment(target_kind="view", target=v.qualname, text=v.comment))
        _column_comments(d, v, have.column_comments, want.column_comments)
        compare_triggers(d, v, have, want)
    for name in sorted(current.keys() - {v.qualname for v in d.authored.views}):
        d.add(None, Drop(kind=kind(current[name]), target=name))


def kind(v: View) -> str:
    """What DROP, COMMENT and the dependency graph call it."""
    return "materialized view" if v.materialized else "view"


def _create(d: Change, v: View) -> None:
    d.add(v.origin, CreateView(view=v))
    d.add(v.origin, SetGrants(target_kind="view", target=v.qualname, grants=v.grants, revoke_from=REVOKE_FROM))
    if v.comment:
        d.add(v.origin, Comment(target_kind=kind(v), target=v.qualname, text=v.comment))
    _column_comments(d, v, (), v.column_comments)
    for i in v.indexes:
        d.add(v.origin, CreateIndex(table=v.qualname, index=i))
        if i.comment:
            d.add(v.origin, Comment(target_kind="index", target=f"{v.schema}.{i.name}", text=i.comment))
    compare_triggers(d, v, None, v)


def _column_comments(d: Change, v: View, have: tuple[tuple[str, str], ...], want: tuple[tuple[str, str], ...]) -> None:
    old, new, written = dict(have), dict(want), dict(v.column_comments)
    for column in sorted(old.keys() | new.keys()):
        if old.get(column) != new.get(column):
            d.add(v.origin, Comment(target_kind="column", target=v.qualname, column=column, text=written.get(column)))


def _materialized(d: Change, v: View, have: View | None, want: View) -> None:
    """A materialized view has no `create or replace`: a new query (or a view that becomes
    materialized, or stops being) is a drop and a create, its indexes with it."""
    if have is None or have.materialized != want.materialized or have.query != want.query or f"{kind(have)} {v.qualname}" in d.rebuild:
        if have is not None:
            d.add(v.origin, Drop(kind=kind(have), target=v.qualname))
        _create(d, v)
        return
    if have.grants != want.grants:
        d.add(v.origin, SetGrants(target_kind="view", target=v.qualname, grants=v.grants, revoke_from=revoke_from(have.grants)))
    if have.comment != want.comment:
        d.add(v.origin, Comment(target_kind=kind(v), target=v.qualname, text=v.comment))
    _column_comments(d, v, have.column_comments, want.column_comments)
    keyed(d, v.qualname, "index", v.indexes, have.indexes, want.indexes, lambda i: CreateIndex(table=v.qualname, index=i), v.origin)


def _definition(v: View) -> tuple[object, ...]:
    """What `create or replace view` sets."""
    return (v.query, v.security_invoker, v.security_barrier, v.check_option)


def replaceable(have: View, want: View) -> bool:
    """`create or replace view` keeps existing columns (same names, types, order) and may add
    more; it cannot take a `check option` away."""
    old = [(c.name, c.type) for c in have.columns]
    new = [(c.name, c.type) for c in want.columns]
    return bool(old) and new[: len(old)] == old and not (have.check_option and not want.check_option)
