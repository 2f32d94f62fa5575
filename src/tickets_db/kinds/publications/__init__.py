"""Publications (logical replication; Supabase Realtime listens on `supabase_realtime`): the
project's are created, altered in place (tables added or dropped — a table whose column list or
row filter changed is dropped and added again —, schemas, operations) and dropped; one the
platform owns (`external: true`) only has the project's tables added to and dropped from it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ...model import Publication, PublishedTable
from ...platform import PLATFORM_PUBLICATIONS
from ..common import Change, Comment, Drop, Needs, Op


def _needs(tables: tuple[PublishedTable, ...]) -> set[str]:
    return {f"rel:{t.table}" for t in tables} | {f"col:{t.table}.{c}" for t in tables for c in t.columns}


@dataclass(frozen=True, slots=True, kw_only=True)
class CreatePublication(Op):
    publication: Publication
    template: ClassVar[str] = "publications/create_publication.sql.j2"
    phase: ClassVar[int] = 8

    @property
    def key(self) -> str:
        return f"publication {self.publication.name}"

    def requires(self, foreign: Needs) -> set[str]:
        return _needs(self.publication.tables) | {f"schema:{s}" for s in self.publication.schemas}


@dataclass(frozen=True, slots=True, kw_only=True)
class AlterPublication(Op):
    name: str
    add: tuple[PublishedTable, ...] = ()
    drop: tuple[PublishedTable, ...] = ()
    add_schemas: tuple[str, ...] = ()
    drop_schemas: tuple[str, ...] = ()
    options: Publication | None = None  # the publication whose operations and via_root to set
    template: ClassVar[str] = "publications/alter_publication.sql.j2"
    phase: ClassVar[int] = 8

    @property
    def key(self) -> str:
        return f"alter publication {self.name}"

    def requires(self, foreign: Needs) -> set[str]:
        return _needs(self.add) | {f"schema:{s}" for s in self.add_schemas}


def compare(d: Change) -> None:
    current = {p.name: p for p in d.current.publications}
    desired = {p.name: p for p in d.desired.publications}
    gone_tables = {t.qualname for t in d.current.tables} - {t.qualname for t in d.desired.tables}
    own_tables = {t.qualname for t in (*d.authored.tables, *d.current.tables) if not t.external}
    for p in d.authored.publications:
        cur = current.get(p.name)
        want = desired.get(p.name, p)
        if p.external:  # the platform's: only the project's tables in it are the YAML's
            have = _mine(cur.tables, own_tables) if cur is not None else ()
            _members(d, p, have, _mine(want.tables, own_tables), _mine(p.tables, own_tables), gone_tables, options=False)
            continue
        if cur is None or cur.all_tables != want.all_tables:
            if cur is not None:
                d.add(p.origin, Drop(kind="publication", target=p.name))
            d.add(p.origin, CreatePublication(publication=p))
            continue
        _members(d, p, cur.tables, want.tables, p.tables, gone_tables, options=(cur.operations, cur.via_root) != (want.operations, want.via_root),
                 schemas=(cur.schemas, want.schemas))
        if cur.comment != want.comment:
            d.add(p.origin, Comment(target_kind="publication", target=p.name, text=p.comment))
    authored = {p.name for p in d.authored.publications}
    for p in d.current.publications:
        if p.name not in authored and p.name not in PLATFORM_PUBLICATIONS:
            d.add(None, Drop(kind="publication", target=p.name))


def _mine(tables: tuple[PublishedTable, ...], own: set[str]) -> tuple[PublishedTable, ...]:
    return tuple(t for t in tables if t.table in own)


def _members(d: Change, p: Publication, have: tuple[PublishedTable, ...], want: tuple[PublishedTable, ...], written: tuple[PublishedTable, ...],
             gone_tables: set[str], options: bool, schemas: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())) -> None:
    """Tables dropped from it (not those being dropped: they leave it with their drop), tables
    added to it as the YAML writes them; a changed column list or filter is a drop and an add."""
    had = {t.table: t for t in have}
    wanted = {t.table: t for t in want}
    as_written = {t.table: t for t in written}
    drop = tuple(t for t in have if t.table not in gone_tables and (t.table not in wanted or wanted[t.table] != t))
    add = tuple(as_written.get(t.table, t) for t in want if had.get(t.table) != t)
    add_schemas = tuple(s for s in schemas[1] if s not in schemas[0])
    drop_schemas = tuple(s for s in schemas[0] if s not in schemas[1])
    if drop or add or add_schemas or drop_schemas or options:
        d.add(p.origin, AlterPublication(name=p.name, add=add, drop=drop, add_schemas=add_schemas, drop_schemas=drop_schemas, options=p if options else None))
