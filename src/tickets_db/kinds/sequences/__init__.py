"""Sequences of their own (a serial's or an identity column's come with the column): created,
their options and type altered in place, owned by a column or not, granted exactly, dropped."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ...model import Sequence
from ..common import REVOKE_FROM, Change, revoke_from, Comment, Drop, Needs, Op, SetGrants


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateSequence(Op):
    sequence: Sequence
    template: ClassVar[str] = "sequences/create_sequence.sql.j2"
    phase: ClassVar[int] = 3

    @property
    def key(self) -> str:
        return f"sequence {self.sequence.qualname}"

    def provides(self) -> set[str]:
        return {f"rel:{self.sequence.qualname}"}

    def requires(self, foreign: Needs) -> set[str]:
        return {f"schema:{self.sequence.schema}"}


@dataclass(frozen=True, slots=True, kw_only=True)
class AlterSequence(Op):
    sequence: str
    type: str | None  # a new type, or None
    options: tuple[tuple[str, str], ...]
    old_options: tuple[tuple[str, str], ...]
    template: ClassVar[str] = "sequences/alter_sequence.sql.j2"

    @property
    def key(self) -> str:
        return f"alter sequence {self.sequence}"

    @property
    def default_start(self) -> str:
        """Where a sequence starts when no start is given: its minvalue going up, its maxvalue down."""
        given = dict(self.options)
        if given.get("increment", "1").startswith("-"):
            return given.get("maxvalue", "-1")
        return given.get("minvalue", "1")

    def requires(self, foreign: Needs) -> set[str]:
        return {f"rel:{self.sequence}"}


@dataclass(frozen=True, slots=True, kw_only=True)
class SetSequenceOwner(Op):
    """`owned by` a column (the sequence goes when the column does) or `none`; after the table."""

    sequence: str
    column: str | None  # schema.table.column
    template: ClassVar[str] = "sequences/owned_by.sql.j2"
    subrank: ClassVar[int] = 9

    @property
    def key(self) -> str:
        return f"owner of sequence {self.sequence}"

    def requires(self, foreign: Needs) -> set[str]:
        if not self.column:
            return {f"rel:{self.sequence}"}
        table = self.column.rsplit(".", 1)[0]
        return {f"rel:{self.sequence}", f"rel:{table}", f"col:{self.column}"}


def compare(d: Change) -> None:
    current = {s.qualname: s for s in d.current.sequences}
    desired = {s.qualname: s for s in d.desired.sequences}
    for s in d.authored.sequences:
        cur = current.get(s.qualname)
        want = desired.get(s.qualname, s)
        if cur is None:
            d.add(s.origin, CreateSequence(sequence=s), SetGrants(target_kind="sequence", target=s.qualname, grants=s.grants, revoke_from=REVOKE_FROM))
            if s.owned_by:
                d.add(s.origin, SetSequenceOwner(sequence=s.qualname, column=s.owned_by))
            continue
        if (cur.type, cur.options) != (want.type, want.options):
            d.add(s.origin, AlterSequence(sequence=s.qualname, type=s.type if cur.type != want.type else None, options=want.options, old_options=cur.options))
        if cur.owned_by != want.owned_by:
            d.add(s.origin, SetSequenceOwner(sequence=s.qualname, column=s.owned_by))
        if cur.grants != want.grants:
            d.add(s.origin, SetGrants(target_kind="sequence", target=s.qualname, grants=s.grants, revoke_from=revoke_from(cur.grants)))
        if cur.comment != want.comment:
            d.add(s.origin, Comment(target_kind="sequence", target=s.qualname, text=s.comment))
    authored = {s.qualname for s in d.authored.sequences}
    for s in d.current.sequences:
        if s.qualname not in authored:
            d.add(None, Drop(kind="sequence", target=s.qualname, hazard="its current value goes with it"))
