"""Enums: created, values added (PostgreSQL can neither drop nor move one), dropped."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ...model import Enum
from ..common import Change, Comment, Drop, Needs, Op, type_grants


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateEnum(Op):
    enum: Enum
    template: ClassVar[str] = "enums/create_enum.sql.j2"
    phase: ClassVar[int] = 3

    @property
    def key(self) -> str:
        return f"enum {self.enum.qualname}"

    def provides(self) -> set[str]:
        return {f"type:{self.enum.qualname}"}

    def requires(self, foreign: Needs) -> set[str]:
        return {f"schema:{self.enum.schema}"}


@dataclass(frozen=True, slots=True, kw_only=True)
class AddEnumValue(Op):
    """Cannot share a transaction with statements that use the new value: runs committed, first."""

    enum: str
    value: str
    before: str | None = None
    template: ClassVar[str] = "enums/add_enum_value.sql.j2"
    transactional: ClassVar[bool] = False
    phase: ClassVar[int] = 0

    @property
    def key(self) -> str:
        return f"enum value {self.enum}.{self.value}"


def compare(d: Change) -> None:
    current = {e.qualname: e for e in d.current.enums}
    for e in d.authored.enums:
        if e.external:
            continue
        cur = current.get(e.qualname)
        want = d.desired.enum(e.qualname) or e
        if cur is None:
            d.add(e.origin, CreateEnum(enum=e), *type_grants("type", e.qualname, None, None, e.grants, created=True))
            continue
        if cur.comment != want.comment:
            d.add(e.origin, Comment(target_kind="type", target=e.qualname, text=e.comment))
        d.add(e.origin, *type_grants("type", e.qualname, cur.grants, want.grants, e.grants))
        _values(d, cur, e)
    authored = {e.qualname for e in d.authored.enums}
    for e in d.current.enums:
        if e.qualname not in authored and not e.external:
            d.add(None, Drop(kind="type", target=e.qualname))


def _values(d: Change, cur: Enum, new: Enum) -> None:
    missing = [v for v in cur.values if v not in new.values]
    if missing:
        d.refuse(new.origin, f"enum {new.qualname}: value(s) {', '.join(missing)} removed or renamed — PostgreSQL cannot drop an enum value. "
                 f"To rename: `alter type {new.qualname} rename value 'old' to 'new'`; to remove: create a new type, "
                 "convert the columns (`type new_type using col::text::new_type`), drop the old type. Write it with `tickets-db new --empty`, then update the YAML")
        return
    kept = [v for v in new.values if v in cur.values]
    if kept != list(cur.values):
        d.refuse(new.origin, f"enum {new.qualname}: values reordered — PostgreSQL cannot move an enum value; put them back in their order")
        return
    for i, v in enumerate(new.values):
        if v in cur.values:
            continue
        later = [x for x in new.values[i + 1 :] if x in cur.values]
        # Appending (the common case) needs no position, as the course writes it.
        d.add(new.origin, AddEnumValue(enum=new.qualname, value=v, before=later[0] if later else None))
