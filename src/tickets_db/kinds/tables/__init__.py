"""Tables and their parts: columns, constraints, indexes, row level security. Policies and
triggers hang off a table too but are kinds of their own (a platform table can carry them)."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from ...loader.names import make_object_name
from ...lexer import tokens
from ...model import SERIALS, Catalog, Column, Constraint, Index, Table, qualify
from ..common import REVOKE_FROM, Change, revoke_from, Comment, Drop, Needs, Op, Rename, SetGrants, mentions, type_refs
from ..policies import compare_table as compare_policies
from ..triggers import compare_table as compare_triggers


def _functions_called(text: str | None) -> set[str]:
    """Functions a default, check or generated expression calls: built before the table."""
    return {f"fn:{n}" for n in mentions(text)}


def sequences_drawn(text: str | None) -> set[str]:
    """`rel:s.seq` for each `nextval('s.seq')` in a default: the sequence comes first (its
    name is a string, which mentions() rightly skips)."""
    if not text or "nextval" not in text.lower():
        return set()
    found = set()
    significant = [t for t in tokens(text) if t.kind not in ("space", "comment")]
    for call, paren, arg in zip(significant, significant[1:], significant[2:]):
        if call.kind == "name" and call.text.lower() == "nextval" and paren.text == "(" and arg.kind == "string" and arg.text.startswith("'"):
            name = arg.text[1:-1].replace("''", "'").replace('"', "")
            found.add(f"rel:{qualify(name)}")
    return found


def _column_needs(c: Column) -> set[str]:
    collation = {f"collation:{c.collation}"} if c.collation and "." in c.collation else set()
    return type_refs(c.type) | _functions_called(c.default) | _functions_called(c.generated) | sequences_drawn(c.default) | collation


def _constraint_needs(table: str, k: Constraint) -> set[str]:
    need = _functions_called(k.expression)
    if k.kind == "foreign_key" and k.ref_table:
        need |= {f"rel:{k.ref_table}", f"key:{k.ref_table}"}
    words = {n.removeprefix("public.") for n in mentions(k.expression)} | set(k.columns)
    return need | {f"alter:{table}.{w}" for w in words}


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateTable(Op):
    table: Table
    deferred: tuple[str, ...] = ()  # foreign keys added after the tables (reference cycles)
    template: ClassVar[str] = "tables/create_table.sql.j2"
    subrank: ClassVar[int] = 0

    @property
    def key(self) -> str:
        return f"table {self.table.qualname}"

    def provides(self) -> set[str]:
        t = self.table
        return ({f"rel:{t.qualname}", f"type:{t.qualname}", f"key:{t.qualname}"} | {f"col:{t.qualname}.{c.name}" for c in t.columns}
                | {f"constraint:{t.qualname}.{k.name}" for k in t.constraints if k.name not in self.deferred})

    def requires(self, foreign: Needs) -> set[str]:
        t = self.table
        req = {f"schema:{t.schema}"} | {f"rel:{p}" for p in (*t.inherits, *([t.partition_of] if t.partition_of else []))}
        for c in t.columns:
            req |= _column_needs(c)
        for k in t.constraints:
            if k.name in self.deferred:
                continue
            req |= _functions_called(k.expression)
            if k.kind == "foreign_key" and k.ref_table and k.ref_table != t.qualname:
                req |= {f"rel:{k.ref_table}", f"key:{k.ref_table}"}
        return req


@dataclass(frozen=True, slots=True, kw_only=True)
class AddColumn(Op):
    table: str
    column: Column
    constraints: tuple[Constraint, ...] = ()
    template: ClassVar[str] = "tables/add_column.sql.j2"
    subrank: ClassVar[int] = 1

    @property
    def key(self) -> str:
        return f"column {self.table}.{self.column.name}"

    def provides(self) -> set[str]:
        return {f"col:{self.table}.{self.column.name}", f"altered:{self.table}"}

    def requires(self, foreign: Needs) -> set[str]:
        req = {f"rel:{self.table}"} | _column_needs(self.column)
        for k in self.constraints:
            req |= _functions_called(k.expression) | ({f"rel:{k.ref_table}", f"key:{k.ref_table}"} if k.ref_table else set())
        return req


@dataclass(frozen=True, slots=True, kw_only=True)
class AlterColumn(Op):
    table: str
    column: str
    type: str | None = None  # the new type, as the YAML writes it
    using: str | None = None
    convert: str | None = None  # no `using` given: "cast" (col::type) or "text" (col::text::type)
    default: str | None = None
    change_default: bool = False  # set `default` (None drops it)
    drop_default_first: bool = False  # an old default that may not convert to the new type
    not_null: bool | None = None  # True: set not null; False: drop not null
    drop_expression: bool = False  # a generated column made a plain one
    collation: str | None = None  # with a type change
    template: ClassVar[str] = "tables/alter_column.sql.j2"

    @property
    def key(self) -> str:
        return f"alter column {self.table}.{self.column}"

    def provides(self) -> set[str]:
        return {f"alter:{self.table}.{self.column}", f"altered:{self.table}"}

    def requires(self, foreign: Needs) -> set[str]:
        return {f"rel:{self.table}"} | (type_refs(self.type) if self.type else set()) | _functions_called(self.default if self.change_default else None)


@dataclass(frozen=True, slots=True, kw_only=True)
class AlterIdentity(Op):
    """An identity added, removed, or switched between `always` and `by default`, in place."""

    table: str
    column: str
    old: str | None = None
    new: str | None = None
    options: tuple[tuple[str, str], ...] = ()  # the sequence options wanted
    old_options: tuple[tuple[str, str], ...] = ()
    template: ClassVar[str] = "tables/alter_identity.sql.j2"

    @property
    def key(self) -> str:
        return f"identity {self.table}.{self.column}"

    def provides(self) -> set[str]:
        return {f"sequence of:{self.table}.{self.column}"}

    def requires(self, foreign: Needs) -> set[str]:
        return {f"alter:{self.table}.{self.column}"}


@dataclass(frozen=True, slots=True, kw_only=True)
class SetSerial(Op):
    """An integer column made serial (its own sequence, started after the largest value) or a
    serial made a plain integer (default and sequence dropped): `type serial` is not SQL."""

    table: str
    column: str
    base_type: str = "integer"
    sequence: str = ""  # schema-qualified
    serial: bool = True
    template: ClassVar[str] = "tables/set_serial.sql.j2"

    @property
    def key(self) -> str:
        return f"serial {self.table}.{self.column}"

    def provides(self) -> set[str]:
        return {f"sequence of:{self.table}.{self.column}"}


@dataclass(frozen=True, slots=True, kw_only=True)
class AddConstraint(Op):
    table: str
    constraint: Constraint
    template: ClassVar[str] = "tables/add_constraint.sql.j2"
    subrank: ClassVar[int] = 2

    @property
    def key(self) -> str:
        return f"constraint {self.table}.{self.constraint.name}"

    def provides(self) -> set[str]:
        return {f"constraint:{self.table}.{self.constraint.name}"} | ({f"key:{self.table}"} if self.constraint.kind in ("primary_key", "unique") else set())

    def requires(self, foreign: Needs) -> set[str]:
        return {f"rel:{self.table}"} | _constraint_needs(self.table, self.constraint)


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateIndex(Op):
    table: str
    index: Index
    concurrently: bool = False  # an online migration's: built without blocking writes, in an autocommit segment
    template: ClassVar[str] = "tables/create_index.sql.j2"
    subrank: ClassVar[int] = 5

    @property
    def key(self) -> str:
        return f"index {self.table}.{self.index.name}"

    def provides(self) -> set[str]:
        return {f"index:{self.table.split('.')[0]}.{self.index.name}"} | ({f"key:{self.table}"} if self.index.unique else set())

    def requires(self, foreign: Needs) -> set[str]:
        return {f"rel:{self.table}"} | {f"alter:{self.table}.{c}" for c in self.index.columns} | _functions_called(self.index.where)


@dataclass(frozen=True, slots=True, kw_only=True)
class ValidateConstraint(Op):
    """Check the rows a `not valid` constraint skipped: a scan that blocks no writes (SHARE
    UPDATE EXCLUSIVE), in an online migration's later segment."""

    table: str
    name: str
    template: ClassVar[str] = "tables/validate_constraint.sql.j2"

    @property
    def key(self) -> str:
        return f"validate {self.table}.{self.name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class AddConstraintUsingIndex(Op):
    """A unique key or primary key made from a unique index built concurrently before: a brief
    lock, no build under it."""

    table: str
    name: str
    primary: bool = False
    template: ClassVar[str] = "tables/add_constraint_using_index.sql.j2"

    @property
    def key(self) -> str:
        return f"constraint {self.table}.{self.name}"

    def provides(self) -> set[str]:
        return {f"constraint:{self.table}.{self.name}", f"key:{self.table}"}


@dataclass(frozen=True, slots=True, kw_only=True)
class DropHelperCheck(Op):
    """The `is not null` check an online `set not null` validated first (PostgreSQL then
    skips the scan): not needed once the column is not null."""

    table: str
    name: str
    template: ClassVar[str] = "tables/drop_helper_check.sql.j2"

    @property
    def key(self) -> str:
        return f"drop check {self.table}.{self.name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Backfill(Op):
    """A new column's volatile default written into the existing rows in batches that each
    commit, walking the table's pages in physical order (a TID range scan each): no long lock,
    no long transaction, no scan of the whole table per batch. Rows the application writes meanwhile get the default already."""

    table: str
    column: str
    expression: str
    pages: int = 64  # per batch: 512 kB of table, a few thousand rows
    template: ClassVar[str] = "tables/backfill.sql.j2"
    transactional: ClassVar[bool] = False

    @property
    def key(self) -> str:
        return f"backfill {self.table}.{self.column}"


@dataclass(frozen=True, slots=True, kw_only=True)
class EnableRls(Op):
    table: str
    force: bool = False
    template: ClassVar[str] = "tables/enable_rls.sql.j2"
    subrank: ClassVar[int] = 6

    @property
    def key(self) -> str:
        return f"rls {self.table}"

    def requires(self, foreign: Needs) -> set[str]:
        return {f"rel:{self.table}"}


@dataclass(frozen=True, slots=True, kw_only=True)
class SetReplicaIdentity(Op):
    """What logical replication (Supabase Realtime) sends of an updated or deleted row."""

    table: str
    identity: str  # default | full | nothing | index NAME
    template: ClassVar[str] = "tables/replica_identity.sql.j2"
    subrank: ClassVar[int] = 6

    @property
    def key(self) -> str:
        return f"replica identity {self.table}"

    def requires(self, foreign: Needs) -> set[str]:
        return {f"rel:{self.table}", f"key:{self.table}"}


@dataclass(frozen=True, slots=True, kw_only=True)
class SetLogged(Op):
    """`set unlogged` / `set logged`: both rewrite the table (and `set logged` writes it all to the WAL)."""

    table: str
    logged: bool
    template: ClassVar[str] = "tables/set_logged.sql.j2"
    subrank: ClassVar[int] = 6

    @property
    def key(self) -> str:
        return f"{'logged' if self.logged else 'unlogged'} {self.table}"

    def requires(self, foreign: Needs) -> set[str]:
        return {f"rel:{self.table}"}


@dataclass(frozen=True, slots=True, kw_only=True)
class SetPartition(Op):
    """A partition detached from its table and/or attached (to another table, or with another
    bound): PostgreSQL has no way to change a bound in place."""

    table: str
    detach: str | None = None
    attach: str | None = None
    bound: str | None = None
    template: ClassVar[str] = "tables/partition.sql.j2"
    subrank: ClassVar[int] = 6

    @property
    def key(self) -> str:
        return f"partition {self.table}"

    def requires(self, foreign: Needs) -> set[str]:
        return {f"rel:{self.table}"} | ({f"rel:{self.attach}"} if self.attach else set())


@dataclass(frozen=True, slots=True, kw_only=True)
class NoInherit(Op):
    """The table stops inheriting: the columns it had from those parents become its own (so
    it runs before anything else changes them)."""

    table: str
    parents: tuple[str, ...]
    template: ClassVar[str] = "tables/inherit.sql.j2"
    phase: ClassVar[int] = -1

    @property
    def key(self) -> str:
        return f"no inherit {self.table}"


@dataclass(frozen=True, slots=True, kw_only=True)
class DisableRls(Op):
    table: str
    keep_enabled: bool = False  # only `no force`
    template: ClassVar[str] = "tables/disable_rls.sql.j2"

    @property
    def key(self) -> str:
        return f"rls off {self.table}"


def compare(d: Change) -> None:
    authored_names = set()
    for t in d.authored.tables:
        authored_names.add(t.qualname)
        cur = d.current.table(t.qualname)
        des = d.desired.table(t.qualname) or t
        if t.external:
            _attachments(d, t, cur, des)
        elif cur is None:
            _create(d, t)
        else:
            _alter(d, t, cur, des)
    for t in d.current.tables:
        if t.qualname not in authored_names and not t.external:
            refs = tuple(sorted({k.ref_table for k in t.constraints if k.kind == "foreign_key" and k.ref_table}))
            d.add(None, Drop(kind="table", target=t.qualname, refs=refs, data_loss=True, hazard="deletes the table and every row in it"))
    _break_cycles(d)


def _attachments(d: Change, t: Table, cur: Table | None, des: Table) -> None:
    compare_policies(d, t, cur, des)
    compare_triggers(d, t, cur, des)


def _break_cycles(d: Change) -> None:
    """Tables created together whose foreign keys point at each other (a cycle, as `accounts`
    ↔ `memberships` often do) are created first and the keys inside the cycle added after,
    as pg_dump does; every other key stays in its table, as the course writes it."""
    created = {op.table.qualname: op for op in d.ops if isinstance(op, CreateTable)}
    edges = {name: {k.ref_table for k in op.table.constraints if k.kind == "foreign_key" and k.ref_table in created and k.ref_table != name} for name, op in created.items()}
    for group in _cycles(edges):
        for i, op in enumerate(d.ops):
            if isinstance(op, CreateTable) and op.table.qualname in group:
                late = tuple(k for k in op.table.constraints if k.kind == "foreign_key" and k.ref_table in group and k.ref_table != op.table.qualname and k.name not in op.deferred)
                d.ops[i] = replace(op, deferred=op.deferred + tuple(k.name for k in late if k.name not in op.deferred))
                d.ops.extend(AddConstraint(table=op.table.qualname, constraint=k, origin=op.origin) for k in late)


def _cycles(edges: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected groups of more than one table (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(group)

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def renames(d: Change) -> Catalog:
    """Apply the YAML's `renamed_from` hints: emit the renames, and return `current` as it
    will look after them, so the rest of the diff compares like with like."""
    tables = list(d.current.tables)
    names = {t.qualname for t in tables}
    for t in d.authored.tables:
        old = t.renamed_from
        if old and old in names and t.qualname not in names:
            if old.split(".")[0] != t.schema:
                d.refuse(t.origin, f"table {old} renamed into another schema ({t.qualname}): move it by hand (`alter table … set schema`)")
                continue
            d.add(t.origin, Rename(kind="table", table=old, old=old.split(".", 1)[1], new=t.name))
            tables = [replace(x, name=t.name) if x.qualname == old else x for x in tables]
            tables = [replace(x, constraints=tuple(replace(k, ref_table=t.qualname) if k.ref_table == old else k for k in x.constraints)) for x in tables]
            names = {x.qualname for x in tables}
    renamed = []
    for table in tables:
        want = d.authored.table(table.qualname)
        for c in want.columns if want else ():
            old = c.renamed_from
            if want and old and table.column(old) and not table.column(c.name):
                d.add(want.origin, Rename(kind="column", table=table.qualname, old=old, new=c.name))
                table = _rename_column(table, old, c.name)
        renamed.append(table)
    return replace(d.current, tables=tuple(renamed))


def _rename_column(t: Table, old: str, new: str) -> Table:
    """What PostgreSQL does to the catalog when a column is renamed."""
    def cols(names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(new if n == old else n for n in names)

    return replace(
        t,
        columns=tuple(replace(c, name=new) if c.name == old else c for c in t.columns),
        constraints=tuple(replace(k, columns=cols(k.columns)) for k in t.constraints),
        indexes=tuple(replace(i, columns=cols(i.columns)) for i in t.indexes),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class SetSequenceGrants(SetGrants):
    """Exact privileges on a serial's or identity's sequence, once its column has it."""

    table: str = ""
    of_column: str = ""

    def requires(self, foreign: Needs) -> set[str]:
        return {f"rel:{self.table}", f"col:{self.table}.{self.of_column}", f"sequence of:{self.table}.{self.of_column}"}


def _sequence_grants(d: Change, qn: str, c: Column, cur: Column | None, des: Column | None, origin: str | None) -> None:
    """Only where the YAML lists them: otherwise the sequence keeps what default privileges gave."""
    if c.sequence_grants is None or (cur is not None and des is not None and cur.sequence_grants == des.sequence_grants):
        return  # (a column that gets its sequence now has none to compare: None)
    schema = qn.split(".", 1)[0]
    name = f"{schema}.{cur.sequence}" if cur is not None and cur.sequence else _serial_sequence(qn, c.name)
    have = cur.sequence_grants if cur is not None and cur.sequence_grants is not None else ()
    d.add(origin, SetSequenceGrants(target_kind="sequence", target=name, grants=c.sequence_grants, revoke_from=revoke_from(have), table=qn, of_column=c.name))


def _create(d: Change, t: Table) -> None:
    o = t.origin
    later = tuple(k for k in t.constraints if k.not_valid)  # `not valid` exists only in alter table
    d.add(o, CreateTable(table=t, deferred=tuple(k.name for k in later)))
    for k in later:
        d.add(o, AddConstraint(table=t.qualname, constraint=k))
    if t.comment:
        d.add(o, Comment(target_kind="table", target=t.qualname, text=t.comment))
    for c in t.columns:
        if c.comment:
            d.add(o, Comment(target_kind="column", target=t.qualname, column=c.name, text=c.comment))
    d.add(o, SetGrants(target_kind="table", target=t.qualname, grants=t.grants, revoke_from=REVOKE_FROM))
    for c in t.columns:
        if c.grants:
            d.add(o, SetGrants(target_kind="column", target=t.qualname, column=c.name, grants=c.grants, revoke_from=REVOKE_FROM))
        _sequence_grants(d, t.qualname, c, None, None, o)
    for k in t.constraints:
        if k.comment:
            d.add(o, _part_comment(t.qualname, "constraint", k))
    for i in t.indexes:
        d.add(o, CreateIndex(table=t.qualname, index=i))
        if i.comment:
            d.add(o, _part_comment(t.qualname, "index", i))
    if t.rls or t.force_rls:
        d.add(o, EnableRls(table=t.qualname, force=t.force_rls))
    if t.replica_identity != "default":
        d.add(o, SetReplicaIdentity(table=t.qualname, identity=t.replica_identity))
    _attachments(d, t, None, t)


def _unnamed(x: Constraint | Index) -> Constraint | Index:
    return replace(x, name="", comment=None)


def _uncommented(x: Any) -> Any:
    return replace(x, comment=None)


def _part_comment(qn: str, kind: str, x: Constraint | Index) -> Comment:
    """`comment on index s.i` / `comment on constraint k on s.t`."""
    if kind == "index":
        return Comment(target_kind="index", target=f"{qn.split('.')[0]}.{x.name}", text=x.comment)
    return Comment(target_kind=kind, target=x.name, on=qn, text=x.comment)


def keyed(d: Change, qn: str, kind: str, authored: tuple[Any, ...], current: tuple[Any, ...], desired: tuple[Any, ...], create: Any, origin: str | None) -> None:
    """Constraints and indexes (of a table or a materialized view), matched by name: new ones
    created, dropped ones dropped, changed ones dropped and created; one whose definition is
    unchanged under a new name is renamed."""
    cur = {x.name: x for x in current}
    des = {x.name: x for x in desired}
    by_definition = {_unnamed(x): x.name for x in current if x.name not in des}
    for x in authored:
        where = getattr(x, "origin", None) or origin
        want = des.get(x.name, x)
        if x.name not in cur:
            old = by_definition.pop(_unnamed(want), None)
            if old is not None:
                d.add(where, Rename(kind=kind, table=qn, old=old, new=x.name))
                if cur[old].comment != want.comment:
                    d.add(where, _part_comment(qn, kind, x))
            else:
                d.add(where, create(x))
                if x.comment:
                    d.add(where, _part_comment(qn, kind, x))
        elif _uncommented(cur[x.name]) != _uncommented(want):
            d.add(where, _drop_keyed(kind, qn, cur[x.name]), create(x))
            if x.comment:
                d.add(where, _part_comment(qn, kind, x))
        elif cur[x.name].comment != want.comment:
            d.add(where, _part_comment(qn, kind, x))
    for name in sorted(by_definition.values()):
        d.add(origin, _drop_keyed(kind, qn, cur[name]))


def _drop_keyed(kind: str, qn: str, x: Constraint | Index) -> Drop:
    refs = (x.ref_table,) if isinstance(x, Constraint) and x.kind == "foreign_key" and x.ref_table else ()
    return Drop(kind=kind, target=x.name, table=qn, refs=refs)


def _alter(d: Change, t: Table, cur: Table, des: Table) -> None:
    o = t.origin
    qn = t.qualname
    cur_cols = {c.name: c for c in cur.columns} | _released(d, cur, des)
    des_cols = {c.name: c for c in des.columns}
    new_columns = set()
    for c in t.columns:
        if c.name not in cur_cols:
            inline = tuple(k for k in t.constraints if k.inline and k.columns == (c.name,))
            hazard = "fails if the table has rows: a NOT NULL column needs a default" if c.not_null and c.default is None and not c.identity else None
            d.add(o, AddColumn(table=qn, column=c, constraints=inline, hazard=hazard))
            new_columns.add(c.name)
            if c.comment:
                d.add(o, Comment(target_kind="column", target=qn, column=c.name, text=c.comment))
            if c.grants:
                d.add(o, SetGrants(target_kind="column", target=qn, column=c.name, grants=c.grants, revoke_from=REVOKE_FROM))
            _sequence_grants(d, qn, c, None, None, o)
        else:
            _alter_column(d, qn, c, cur_cols[c.name], des_cols.get(c.name, c), o)
    for name in sorted(cur_cols.keys() - des_cols.keys()):
        d.add(o, Drop(kind="column", target=name, table=qn, data_loss=True, hazard=f"deletes column {name} and its values"))
    fresh = tuple(k for k in t.constraints if not (k.inline and set(k.columns) <= new_columns))
    des_fresh = tuple(k for k in des.constraints if not (k.inline and set(k.columns) <= new_columns) or k.name not in {x.name for x in fresh})
    keyed(d, qn, "constraint", fresh, cur.constraints, des_fresh,
           lambda k: AddConstraint(table=qn, constraint=k, hazard="checks every existing row while holding a lock on the table"), o)
    keyed(d, qn, "index", t.indexes, cur.indexes, des.indexes,
           lambda i: CreateIndex(table=qn, index=i, hazard="blocks writes to the table while it builds; for a big table write `create index concurrently` by hand"), o)
    if cur.grants != des.grants:
        d.add(o, SetGrants(target_kind="table", target=qn, grants=t.grants, revoke_from=revoke_from(cur.grants)))
    if (cur.rls, cur.force_rls) != (des.rls, des.force_rls):
        if des.rls and (not cur.rls or (des.force_rls and not cur.force_rls)):
            d.add(o, EnableRls(table=qn, force=des.force_rls))
        if cur.force_rls and not des.force_rls and des.rls:
            d.add(o, DisableRls(table=qn, keep_enabled=True))
        if cur.rls and not des.rls:
            d.add(o, DisableRls(table=qn, hazard="every role with a grant sees and changes every row"))
    if cur.replica_identity != des.replica_identity:
        d.add(o, SetReplicaIdentity(table=qn, identity=t.replica_identity))
    if cur.partition_by != des.partition_by:
        d.refuse(o, f"table {qn}: partitioned by {des.partition_by or 'nothing'} instead of {cur.partition_by or 'nothing'} — PostgreSQL cannot change how a table is partitioned; create a new table and move the rows")
    if (cur.partition_of, cur.partition_bound) != (des.partition_of, des.partition_bound):
        d.add(o, SetPartition(table=qn, detach=cur.partition_of, attach=t.partition_of, bound=t.partition_bound,
                              hazard="attaching scans the table for rows outside the bound, under a lock" if t.partition_of else None))
    gained = [p for p in des.inherits if p not in cur.inherits]
    if gained:
        d.refuse(o, f"table {qn} would inherit {', '.join(gained)} — an existing table's columns cannot become inherited ones; create the table anew with `inherits` and move its rows")
    lost = tuple(p for p in cur.inherits if p not in des.inherits)
    if lost:
        d.add(o, NoInherit(table=qn, parents=lost))
    if cur.unlogged != des.unlogged:
        d.add(o, SetLogged(table=qn, logged=not des.unlogged, hazard="rewrites the table under an exclusive lock" + ("; an unlogged table is emptied by a crash and not replicated" if des.unlogged else "")))
    if cur.comment != des.comment:
        d.add(o, Comment(target_kind="table", target=qn, text=t.comment))
    _attachments(d, t, cur, des)


def _released(d: Change, cur: Table, des: Table) -> dict[str, Column]:
    """Columns the table had from parents it stops inheriting: its own once `no inherit` ran."""
    out: dict[str, Column] = {}
    for name in cur.inherits:
        parent = d.current.table(name)
        if parent is not None and name not in des.inherits:
            out |= {c.name: c for c in parent.columns} | _released(d, parent, replace(parent, inherits=()))
    return out


def _alter_column(d: Change, qn: str, authored: Column, cur: Column, des: Column, origin: str | None) -> None:
    if cur.generated != des.generated:
        if des.generated is None:
            d.add(origin, AlterColumn(table=qn, column=authored.name, drop_expression=True))
        else:
            d.refuse(origin, f"column {qn}.{authored.name}: a generated expression cannot be added or changed in place — drop and add the column instead (rename the old one with renamed_from to keep its data)")
            return
    if (cur.identity, cur.identity_options) != (des.identity, des.identity_options):
        d.add(origin, AlterIdentity(table=qn, column=authored.name, old=cur.identity, new=des.identity, options=des.identity_options, old_options=cur.identity_options))
    base_cur, base_des = SERIALS.get(cur.type, cur.type), SERIALS.get(des.type, des.type)
    retype = base_des != base_cur or cur.collation != des.collation
    redefault = des.default != cur.default
    renull = (des.not_null or des.serial) != (cur.not_null or cur.serial)
    if cur.serial and not des.serial:
        d.add(origin, SetSerial(table=qn, column=authored.name, base_type=base_cur, sequence=_serial_sequence(qn, cur.name), serial=False))
    if retype or redefault or renull:
        hazards = []
        if retype and not _widens(cur.type, des.type):
            hazards.append("rewrites the table under an exclusive lock; fails if a value does not convert")
        if renull and des.not_null:
            hazards.append("fails if a row holds null; scans the table under an exclusive lock")
        d.add(origin, AlterColumn(
            table=qn, column=authored.name,
            type=SERIALS.get(authored.type.strip().lower(), authored.type) if retype else None,
            collation=authored.collation if retype else None,
            using=authored.using if retype else None,
            convert=_conversion(cur.type, des.type) if retype and not authored.using else None,
            default=authored.default, change_default=redefault or (retype and cur.default is not None),
            drop_default_first=retype and cur.default is not None,
            not_null=(des.not_null or des.serial) if renull else None,
            hazard="; ".join(hazards) or None,
        ))
    if des.serial and not cur.serial:
        d.add(origin, SetSerial(table=qn, column=authored.name, base_type=base_des, sequence=_serial_sequence(qn, cur.name)))
    if des.comment != cur.comment:
        d.add(origin, Comment(target_kind="column", target=qn, column=authored.name, text=authored.comment))
    if des.grants != cur.grants:
        d.add(origin, SetGrants(target_kind="column", target=qn, column=authored.name, grants=authored.grants, revoke_from=revoke_from(cur.grants)))
    _sequence_grants(d, qn, authored, cur, des, origin)


def _serial_sequence(table: str, column: str) -> str:
    schema, name = table.split(".", 1)
    return f"{schema}.{make_object_name(name, column, 'seq')}"


# A type change needs `using` where PostgreSQL has no assignment cast: from text to anything
# but text, between enums (through text), from numbers to booleans… Converting to a string type
# or between numbers needs none, so none is written there.
STRING_TYPES = ("text", "character varying", "character", "name", "citext")
NUMERIC_TYPES = frozenset({"smallint", "integer", "bigint", "numeric", "real", "double precision"})


def _conversion(old: str, new: str) -> str | None:
    """How the template converts a column PostgreSQL will not cast by assignment: `cast`
    (`col::new`), `text` (through text, enum to enum), or None."""
    def base(t: str) -> str:
        return t.split("(", 1)[0].strip()

    if old == new or _widens(old, new) or base(new) in STRING_TYPES or (base(old) in NUMERIC_TYPES and base(new) in NUMERIC_TYPES):
        return None
    return "text" if "." in old and "." in new else "cast"


def _widens(old: str, new: str) -> bool:
    """A varchar made longer, or turned into text: PostgreSQL changes the catalog only."""
    m_old = re.fullmatch(r"character varying(?:\((\d+)\))?", old)
    if not m_old:
        return False
    if new == "text":
        return True
    m_new = re.fullmatch(r"character varying(?:\((\d+)\))?", new)
    if not m_new:
        return False
    return m_new.group(1) is None or (m_old.group(1) is not None and int(m_new.group(1)) >= int(m_old.group(1)))
