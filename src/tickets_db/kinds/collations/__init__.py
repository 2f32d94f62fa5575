"""Collations: created and dropped. PostgreSQL cannot alter one's definition (columns and
indexes were built with it): a changed one is refused with a recipe."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ...model import Collation
from ..common import Change, Comment, Drop, Needs, Op


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateCollation(Op):
    collation: Collation
    template: ClassVar[str] = "collations/create_collation.sql.j2"
    phase: ClassVar[int] = 3

    @property
    def key(self) -> str:
        return f"collation {self.collation.qualname}"

    def provides(self) -> set[str]:
        return {f"collation:{self.collation.qualname}"}

    def requires(self, foreign: Needs) -> set[str]:
        return {f"schema:{self.collation.schema}"}


def compare(d: Change) -> None:
    current = {c.qualname: c for c in d.current.collations}
    desired = {c.qualname: c for c in d.desired.collations}
    for c in d.authored.collations:
        cur = current.get(c.qualname)
        want = desired.get(c.qualname, c)
        if cur is None:
            d.add(c.origin, CreateCollation(collation=c))
        elif (cur.provider, cur.locale, cur.ctype, cur.deterministic) != (want.provider, want.locale, want.ctype, want.deterministic):
            d.refuse(c.origin, f"collation {c.qualname} changed — PostgreSQL cannot alter a collation; create one under a new name, move the columns to it (`alter column … type … collate`), drop this one")
        elif cur.comment != want.comment:
            d.add(c.origin, Comment(target_kind="collation", target=c.qualname, text=c.comment))
    authored = {c.qualname for c in d.authored.collations}
    for c in d.current.collations:
        if c.qualname not in authored:
            d.add(None, Drop(kind="collation", target=c.qualname))
