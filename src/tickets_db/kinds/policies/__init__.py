"""Row level security policies, on the project's tables and on platform tables alike."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from ...model import Policy, Table
from ..common import Change, Comment, Drop, Needs, Op, calls


@dataclass(frozen=True, slots=True, kw_only=True)
class CreatePolicy(Op):
    table: str
    policy: Policy
    template: ClassVar[str] = "policies/create_policy.sql.j2"
    subrank: ClassVar[int] = 7

    @property
    def key(self) -> str:
        return f"policy {self.table}.{self.policy.name}"

    def provides(self) -> set[str]:
        return {f"policy:{self.table}.{self.policy.name}"}

    def requires(self, foreign: Needs) -> set[str]:
        return {f"rel:{self.table}", f"altered:{self.table}"} | calls(self.policy.using) | calls(self.policy.with_check)


@dataclass(frozen=True, slots=True, kw_only=True)
class AlterPolicy(Op):
    """Same name, command and kind (permissive/restrictive): roles and expressions change in place."""

    table: str
    policy: Policy
    template: ClassVar[str] = "policies/alter_policy.sql.j2"

    @property
    def key(self) -> str:
        return f"alter policy {self.table}.{self.policy.name}"

    def requires(self, foreign: Needs) -> set[str]:
        return {f"rel:{self.table}", f"altered:{self.table}"} | calls(self.policy.using) | calls(self.policy.with_check)


def compare_table(d: Change, t: Table, cur: Table | None, des: Table) -> None:
    qn = t.qualname
    have = {p.name: p for p in cur.policies} if cur else {}
    want = {p.name: p for p in des.policies}
    for p in t.policies:
        where = p.origin or t.origin
        old = have.get(p.name)
        new = want.get(p.name, p)
        comment = Comment(target_kind="policy", target=p.name, on=qn, text=p.comment)
        if old is None:
            d.add(where, CreatePolicy(table=qn, policy=p), *([comment] if p.comment else []))
        elif f"policy {qn}.{p.name}" in d.rebuild or (old.command, old.permissive) != (new.command, new.permissive) or _clears(old, new):
            d.add(where, Drop(kind="policy", target=p.name, table=qn), CreatePolicy(table=qn, policy=p), *([comment] if p.comment else []))
        else:
            if replace(old, comment=None) != replace(new, comment=None):
                d.add(where, AlterPolicy(table=qn, policy=p))
            if old.comment != new.comment:
                d.add(where, comment)
    for name in sorted(have.keys() - {p.name for p in t.policies}):
        d.add(t.origin, Drop(kind="policy", target=name, table=qn))


def _clears(old: Policy, new: Policy) -> bool:
    """`alter policy` can change an expression but not take one away."""
    return (old.using is not None and new.using is None) or (old.with_check is not None and new.with_check is None)
