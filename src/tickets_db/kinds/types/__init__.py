"""Composite and range types. A composite type is created, altered in place (attributes added,
dropped, or given another type: PostgreSQL refuses the last two while a table column stores the
type, and the proof then says so), and dropped; reordered attributes are refused (the type would
have to be dropped with everything using it). A range type has no alter for its subtype: a
changed one is refused. Both are dropped when the YAML no longer has them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ...model import Composite, Range, default_multirange
from ..common import Change, Comment, Drop, Needs, Op, type_grants, type_refs


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateComposite(Op):
    composite: Composite
    template: ClassVar[str] = "types/create_composite.sql.j2"
    phase: ClassVar[int] = 3

    @property
    def key(self) -> str:
        return f"type {self.composite.qualname}"

    def provides(self) -> set[str]:
        return {f"type:{self.composite.qualname}"}

    def requires(self, foreign: Needs) -> set[str]:
        return {f"schema:{self.composite.schema}"}.union(*(type_refs(t) for _, t in self.composite.attributes))


@dataclass(frozen=True, slots=True, kw_only=True)
class AlterComposite(Op):
    type: str
    changes: tuple[tuple[str, str, str | None], ...]  # (drop | alter | add, attribute, its type)
    template: ClassVar[str] = "types/alter_composite.sql.j2"
    phase: ClassVar[int] = 3

    @property
    def key(self) -> str:
        return f"alter type {self.type}"

    @property
    def loses_data(self) -> bool:
        return any(verb == "drop" for verb, _, _ in self.changes)

    def requires(self, foreign: Needs) -> set[str]:
        return {f"type:{self.type}"}.union(*(type_refs(t) for _, _, t in self.changes if t))


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateRange(Op):
    range: Range
    template: ClassVar[str] = "types/create_range.sql.j2"
    phase: ClassVar[int] = 3

    @property
    def key(self) -> str:
        return f"type {self.range.qualname}"

    @property
    def default_multirange(self) -> str:
        return default_multirange(self.range.name)

    def provides(self) -> set[str]:
        return {f"type:{self.range.qualname}", f"type:{self.range.schema}.{self.range.multirange}"}

    def requires(self, foreign: Needs) -> set[str]:
        needs = {f"schema:{self.range.schema}"} | type_refs(self.range.subtype)
        return needs | ({f"fn:{self.range.subtype_diff}"} if self.range.subtype_diff else set())


def compare(d: Change) -> None:
    _composites(d)
    _ranges(d)


def _composites(d: Change) -> None:
    current = {t.qualname: t for t in d.current.composites}
    desired = {t.qualname: t for t in d.desired.composites}
    for t in d.authored.composites:
        if t.external:
            continue
        cur = current.get(t.qualname)
        if cur is None:
            d.add(t.origin, CreateComposite(composite=t), *type_grants("type", t.qualname, None, None, t.grants, created=True))
            continue
        want = desired.get(t.qualname, t)
        d.add(t.origin, *type_grants("type", t.qualname, cur.grants, want.grants, t.grants))
        if cur.attributes != want.attributes:
            _attributes(d, cur, want, t)
        if cur.comment != want.comment:
            d.add(t.origin, Comment(target_kind="type", target=t.qualname, text=t.comment))
    authored = {t.qualname for t in d.authored.composites}
    for t in d.current.composites:
        if t.qualname not in authored and not t.external:
            d.add(None, Drop(kind="type", target=t.qualname))


def _attributes(d: Change, cur: Composite, want: Composite, authored: Composite) -> None:
    """The changes `alter type` makes in place; types as written in the YAML."""
    have = dict(cur.attributes)
    wanted = dict(want.attributes)
    written = dict(authored.attributes)
    kept = [n for n, _ in want.attributes if n in have]
    if kept != [n for n, _ in cur.attributes if n in wanted]:
        d.refuse(authored.origin, f"type {authored.qualname}: attributes reordered — `alter type` cannot move one; keep the order, add new ones at the end")
        return
    changes: list[tuple[str, str, str | None]] = [("drop", n, None) for n, _ in cur.attributes if n not in wanted]
    changes += [("alter", n, written[n]) for n in kept if have[n] != wanted[n]]
    changes += [("add", n, written[n]) for n, _ in want.attributes if n not in have]
    d.add(authored.origin, AlterComposite(type=authored.qualname, changes=tuple(changes),
                                          hazard="drops attributes: their values in columns of this type go" if any(v == "drop" for v, _, _ in changes) else None))


def _ranges(d: Change) -> None:
    current = {r.qualname: r for r in d.current.ranges}
    desired = {r.qualname: r for r in d.desired.ranges}
    for r in d.authored.ranges:
        if r.external:
            continue
        cur = current.get(r.qualname)
        if cur is None:
            d.add(r.origin, CreateRange(range=r), *type_grants("type", r.qualname, None, None, r.grants, created=True))
            continue
        want = desired.get(r.qualname, r)
        d.add(r.origin, *type_grants("type", r.qualname, cur.grants, want.grants, r.grants))
        if (cur.subtype, cur.multirange, cur.subtype_diff) != (want.subtype, want.multirange, want.subtype_diff):
            d.refuse(r.origin, f"range type {r.qualname} changed — PostgreSQL cannot alter a range's subtype; create a new type, move the columns to it, drop this one (`tickets-db new --empty`)")
        elif cur.comment != want.comment:
            d.add(r.origin, Comment(target_kind="type", target=r.qualname, text=r.comment))
    authored = {r.qualname for r in d.authored.ranges}
    for r in d.current.ranges:
        if r.qualname not in authored and not r.external:
            d.add(None, Drop(kind="type", target=r.qualname))
