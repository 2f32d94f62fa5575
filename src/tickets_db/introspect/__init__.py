"""A live database → the same Catalog model the YAML produces. One query per kind in queries/;
this module only assembles rows into dataclasses. Names come out schema-qualified because the
session runs with an empty search_path."""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Iterator

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from .. import kinds
from ..kinds.functions.read import function
from ..kinds.tables.read import column, constraint, index
from ..kinds.triggers.read import trigger
from ..loader.names import make_object_name
from ..model import IDENTITY_OPTIONS, privilege_order, sequence_choices, type_grants, Catalog, Collation, Column, Composite, DefaultPrivileges, Domain, Enum, EventTrigger, Extension, Function, Grant, Policy, Publication, PublishedTable, Range, Rows, Schema, Sequence, Table, View
from ..platform import PLATFORM_PUBLICATIONS, PLATFORM_SCHEMAS, SUPABASE_SCHEMAS


@dataclass(frozen=True)
class Scope:
    """What to read: the project's schemas, the platform tables it attaches to, its reference rows."""

    schemas: tuple[str, ...]
    external_tables: tuple[str, ...] = ()
    rows: tuple[Rows, ...] = ()
    # Also every other schema of the database's own (not the platform's, not public): the YAML
    # declares the whole database, so a schema it no longer names is one to drop.
    every_schema: bool = False
    # Platform schemas (storage) whose privileges the YAML sets: read as schemas, nothing in them.
    schema_privileges: tuple[str, ...] = ()

    @classmethod
    def of(cls, catalog: Catalog) -> "Scope":
        schemas = tuple(sorted(s.name for s in catalog.schemas if s.name not in PLATFORM_SCHEMAS))
        external = tuple(sorted(t.qualname for t in catalog.tables if t.schema in PLATFORM_SCHEMAS and (t.policies or t.triggers)))
        rows = []
        for r in catalog.rows:
            t = catalog.table(r.table)
            renamed = tuple((c.name, c.renamed_from) for c in (t.columns if t else ()) if c.renamed_from and c.name in r.columns)
            rows.append(replace(r, renamed_from=t.renamed_from if t else None, renamed_columns=renamed))
        privileges = tuple(sorted(s.name for s in catalog.schemas if s.name in PLATFORM_SCHEMAS and s.grants is not None))
        return cls(schemas, external, tuple(rows), every_schema=True, schema_privileges=privileges)


@cache
def _query(name: str) -> str:
    """`tables/columns` is a kind's query (kinds/), `depends` the graph's; others read the
    whole database (introspect/queries/)."""
    path = kinds.query(name)
    if not path.is_file():
        path = Path(__file__).parent / "queries" / f"{name}.sql"
    return path.read_text()


def _fetch(conn: psycopg.Connection, name: str, **params: Any) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(_query(name), params)
        return cur.fetchall()


def _grants(entries: list[str]) -> tuple[Grant, ...]:
    """`role=priv` entries, `*` after a privilege held with grant option."""
    by_role: dict[str, list[str]] = defaultdict(list)
    for e in entries:
        role, _, priv = e.rpartition("=")
        by_role[role].append(priv)
    return tuple(Grant(r, privilege_order([x.rstrip("*") for x in p]), privilege_order([x.rstrip("*") for x in p if x.endswith("*")])) for r, p in sorted(by_role.items()))


def normalized_types(conn: psycopg.Connection, types: list[str]) -> dict[str, str]:
    """Type names as PostgreSQL prints them (with an empty search_path, so qualified)."""
    if not types:
        return {}
    with _qualified(conn):
        with conn.cursor() as cur:
            cur.execute(_query("normalized_types"), {"types": types})
            return {t: n or t for t, n in cur.fetchall()}


def table_rows(conn: psycopg.Connection, table: str, at_most: int) -> int:
    """How many rows `table` holds, up to `at_most`: the planner's estimate when the table was
    analyzed, else a count that stops at `at_most` (0 when there is no such table)."""
    found = _fetch(conn, "table_rows", table=table)
    if not found:
        return 0
    if found[0]["estimate"] is not None:
        return int(found[0]["estimate"])
    query = sql.SQL("select count(*) from (select from {} limit {}) s").format(sql.Identifier(found[0]["schema"], found[0]["name"]), sql.Literal(at_most))
    return int(conn.execute(query).fetchone()[0])  # type: ignore[index]


def user_schemas(conn: psycopg.Connection) -> list[str]:
    """The database's own schemas: what a database holds when no YAML says what to read."""
    return [r["name"] for r in _fetch(conn, "user_schemas", platform=sorted(PLATFORM_SCHEMAS | SUPABASE_SCHEMAS))]


@contextmanager
def _qualified(conn: psycopg.Connection) -> Iterator[None]:
    """A transaction with an empty search_path, so PostgreSQL prints every name with its schema;
    without JIT, whose compiling costs more than these catalog queries gain from it."""
    with conn.transaction():
        conn.execute("set local search_path = ''; set local jit = off")
        yield


def _grouped(conn: psycopg.Connection, kind: str, oids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The rows of a per-relation query (columns, constraints…), by relation."""
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in _fetch(conn, kind, oids=oids):
        grouped[r["oid"]].append(r)
    return grouped


def _enums(conn: psycopg.Connection, schemas: list[str]) -> tuple[Enum, ...]:
    return tuple(Enum(e["schema"], e["name"], tuple(e["values"]), e["comment"], grants=type_grants(_grants(e["grants"]))) for e in _fetch(conn, "enums/enums", schemas=schemas))


def _extensions(conn: psycopg.Connection, schemas: list[str]) -> tuple[Extension, ...]:
    return tuple(Extension(e["name"], e["schema"], version=e["version"], pinned=e["pinned"], comment=e["comment"], own_comment=e["own_comment"]) for e in _fetch(conn, "schemas/extensions", schemas=schemas))


def _functions(conn: psycopg.Connection, schemas: list[str]) -> tuple[Function, ...]:
    return tuple(sorted((function(f) for f in _fetch(conn, "functions/functions", schemas=schemas)), key=lambda f: f.identity))


def introspect(conn: psycopg.Connection, scope: Scope, depends: bool = True) -> Catalog:
    """The catalog of `scope`; with `depends`, what depends on what too (what a current state
    needs for the order of drops; a desired state never does)."""
    # a second session sees only what is committed: not a state built in a transaction
    committed = conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    with _qualified(conn):
        return _read(conn, scope, depends, committed)


# From this many tables on, their columns are read on a second session while the first reads
# everything else: the two largest parts of a big schema's read, side by side.
BESIDE_FROM = 300


def _beside(conn: psycopg.Connection, kind: str, oids: list[int]) -> Future[dict[int, list[dict[str, Any]]]] | None:
    """`_grouped(kind)` on a second session of the same role, in a thread; None where no second
    session can be had (a connection limit, a pooler): then the caller reads it itself."""
    try:
        other = psycopg.connect(conn.info.dsn, password=conn.info.password or None, autocommit=True, connect_timeout=5)
    except psycopg.Error:
        return None

    def read() -> dict[int, list[dict[str, Any]]]:
        try:
            with _qualified(other):
                return _grouped(other, kind, oids)
        finally:
            other.close()

    pool = ThreadPoolExecutor(1)
    try:
        return pool.submit(read)
    finally:
        pool.shutdown(wait=False)  # the thread ends with the read


def _read(conn: psycopg.Connection, scope: Scope, depends: bool, committed: bool = False) -> Catalog:
    schemas_param = list(scope.schemas)
    if scope.every_schema:
        schemas_param = sorted(set(schemas_param) | (set(user_schemas(conn)) - {"public"}))
    tables_rows = _fetch(conn, "tables/tables", schemas=schemas_param, external=list(scope.external_tables))
    oids = [r["oid"] for r in tables_rows]
    side = _beside(conn, "tables/columns", oids) if committed and len(oids) >= BESIDE_FROM else None
    per = {kind.split("/")[1]: _grouped(conn, kind, oids) for kind in ("tables/columns", "tables/constraints", "tables/indexes", "policies/policies", "triggers/triggers")
           if not (side and kind == "tables/columns")}
    # everything else is read while the second session (if any) reads the columns
    views_rows = _fetch(conn, "views/views", schemas=schemas_param)
    view_columns = _grouped(conn, "tables/columns", [v["oid"] for v in views_rows])
    view_triggers = _grouped(conn, "triggers/triggers", [v["oid"] for v in views_rows])
    view_indexes = _grouped(conn, "tables/indexes", [v["oid"] for v in views_rows if v["materialized"]])
    types = _fetch(conn, "types/types", schemas=schemas_param)
    sequence_rows = _fetch(conn, "sequences/sequences", schemas=schemas_param)
    catalog = Catalog(
        schemas=_schemas(conn, [*schemas_param, *scope.schema_privileges]),
        extensions=_extensions(conn, schemas_param),
        enums=_enums(conn, schemas_param),
        collations=tuple(Collation(c["schema"], c["name"], c["locale"], c["provider"], c["ctype"], c["deterministic"], c["comment"]) for c in _fetch(conn, "collations/collations", schemas=schemas_param)),
        composites=tuple(Composite(t["schema"], t["name"], tuple((a, typ) for a, typ in t["attributes"]), t["comment"], grants=type_grants(_grants(t["grants"]))) for t in types if t["kind"] == "c"),
        ranges=tuple(Range(t["schema"], t["name"], t["subtype"], t["multirange"], t["subtype_diff"], t["comment"], grants=type_grants(_grants(t["grants"]))) for t in types if t["kind"] == "r"),
        domains=tuple(Domain(x["schema"], x["name"], x["type"], x["not_null"], x["default"], x["check"], x["comment"], grants=type_grants(_grants(x["grants"])))
                      for x in _fetch(conn, "domains/domains", schemas=schemas_param)),
        functions=_functions(conn, schemas_param),
        views=tuple(
            View(v["schema"], v["name"], v["query"], _grants(v["grants"]), v["security_invoker"], v["comment"], v["security_barrier"], v["check_option"],
                 tuple(trigger(tr) for tr in view_triggers[v["oid"]]), tuple(column(c, _grants) for c in view_columns[v["oid"]]),
                 v["materialized"], tuple(index(i) for i in view_indexes[v["oid"]]),
                 tuple(sorted((c["name"], c["comment"]) for c in view_columns[v["oid"]] if c["comment"] is not None)))
            for v in views_rows
        ),
        # the project's: those whose function is in its schemas (the platform has its own)
        event_triggers=tuple(EventTrigger(e["name"], e["event"], e["function"], tuple(e["tags"]), e["enabled"], e["comment"])
                             for e in _fetch(conn, "event_triggers/event_triggers") if e["function"].split(".", 1)[0] in schemas_param),
        default_privileges=default_privileges(conn),
        publications=tuple(
            Publication(p["name"], tuple(PublishedTable(t, tuple(c.split(",")) if c else (), w or None) for t, w, c in p["tables"]), tuple(p["schemas"]),
                        p["all_tables"], tuple(p["operations"]), p["via_root"], p["comment"], external=p["name"] in PLATFORM_PUBLICATIONS)
            for p in _fetch(conn, "publications/publications")
        ),
        rows=tuple(_rows(conn, r) for r in scope.rows),
        depends=_depends(conn) if depends else (),
    )
    if side:
        per["columns"] = side.result()

    tables = []
    for t in tables_rows:
        oid = t["oid"]
        external = t["external"]
        tables.append(
            Table(
                t["schema"],
                t["name"],
                columns=() if external else tuple(column(c, _grants) for c in per["columns"][oid]),
                constraints=() if external else tuple(constraint(c) for c in per["constraints"][oid]),
                indexes=() if external else tuple(index(i) for i in per["indexes"][oid]),
                grants=() if external else _grants(t["grants"]),
                rls=False if external else t["rls"],
                force_rls=False if external else t["force_rls"],
                replica_identity="default" if external else t["replica_identity"] or "default",
                unlogged=False if external else t["unlogged"],
                partition_by=None if external else t["partition_by"],
                partition_of=None if external else t["partition_of"],
                partition_bound=None if external else _bound(t["partition_bound"]),
                inherits=() if external else tuple(t["inherits"]),
                policies=tuple(Policy(p["name"], p["command"], tuple(p["roles"]), p["permissive"], p["using"], p["with_check"], comment=p["comment"]) for p in per["policies"][oid]),
                triggers=tuple(trigger(tr) for tr in per["triggers"][oid]),
                comment=None if external else t["comment"],
                external=external,
            )
        )
    # a serial column's sequence is part of the column (read as `serial`)
    serials = {f"{t.schema}.{make_object_name(t.name, c.name, 'seq')}" for t in tables for c in t.columns if c.serial}
    sequences = tuple(
        Sequence(s["schema"], s["name"], s["type"], sequence_choices(dict(zip(IDENTITY_OPTIONS, s["options"])), s["type"]), s["owned_by"], _grants(s["grants"]), s["comment"])
        for s in sequence_rows if f"{s['schema']}.{s['name']}" not in serials
    )
    return replace(catalog, tables=tuple(tables), sequences=sequences)


def _bound(text: str | None) -> str | None:
    """A partition's bound as the YAML writes it: `FROM (…) TO (…)`, `IN (…)`, … or `default`."""
    return "default" if text == "DEFAULT" else text


def _depends(conn: psycopg.Connection) -> tuple[tuple[str, str], ...]:
    return tuple((r["dependant"], r["dependency"]) for r in _fetch(conn, "depends"))


def _as_text(column: str) -> sql.Composable:
    return sql.SQL("{}::text").format(sql.Identifier(column))


def _text_rows(conn: psycopg.Connection, schema: str, name: str, selected: list[sql.Composable], order: tuple[str, ...] = ()) -> list[Any]:
    """Every row of a table, the selected expressions as text (the form reference rows take)."""
    query = sql.SQL("select {} from {}").format(sql.SQL(", ").join(selected), sql.Identifier(schema, name))
    if order:
        query += sql.SQL(" order by {}").format(sql.SQL(", ").join(sql.Identifier(k) for k in order))
    with conn.transaction():
        return conn.execute(query).fetchall()


def _rows(conn: psycopg.Connection, spec: Rows) -> Rows:
    """The rows of spec.table whose keys the YAML names, as text (the YAML's form). Before a
    rename the YAML announces has run, they are read under the old table and column names."""
    source = _fetch(conn, "rows/row_source", table=spec.table, old=spec.renamed_from)
    if not source:
        return Rows(spec.table, spec.key, spec.columns, ())
    existing = set(source[0]["columns"])
    old = dict(spec.renamed_columns)
    selected = []
    for c in spec.columns:
        column = c if c in existing else old.get(c, c)
        selected.append(_as_text(column) if column in existing else sql.SQL("null"))
    found = _text_rows(conn, source[0]["schema"], source[0]["name"], selected)
    wanted = spec.keyed()
    idx = [spec.columns.index(k) for k in spec.key]
    present = {tuple(r[i] for i in idx): tuple(r) for r in found}
    values = tuple(present[k] for k in wanted if k in present)
    return Rows(spec.table, spec.key, spec.columns, values)


@dataclass(frozen=True)
class Unsupported:
    """An object the YAML cannot express, with SQL that recreates it (or a comment saying so)."""

    kind: str
    name: str
    sql: str


def unsupported(conn: psycopg.Connection, schemas: tuple[str, ...]) -> tuple[Unsupported, ...]:
    with _qualified(conn):
        return tuple(Unsupported(r["kind"], r["name"], r["sql"]) for r in _fetch(conn, "unsupported", schemas=list(schemas)))


def external_tables(conn: psycopg.Connection, names: tuple[str, ...]) -> tuple[Table, ...]:
    """Platform tables as references: their columns only (what the YAML's validator checks)."""
    with _qualified(conn):
        found = _fetch(conn, "tables/tables", schemas=[], external=list(names))
        columns = _grouped(conn, "tables/columns", [t["oid"] for t in found])
    return tuple(Table(t["schema"], t["name"], tuple(Column(c["name"], c["type"]) for c in columns[t["oid"]]), external=True) for t in found)


def schema_functions(conn: psycopg.Connection, schemas: tuple[str, ...]) -> tuple[Function, ...]:
    with _qualified(conn):
        return _functions(conn, list(schemas))


_WRITTEN_AT = re.compile(r"\b(now\(\)|current_timestamp|current_date|localtimestamp|clock_timestamp|statement_timestamp|transaction_timestamp)", re.I)


def _computed(column: dict[str, Any]) -> bool:
    """A key column the database fills itself: identity, or a default calling a function."""
    return column["identity"] is not None or column["generated"] is not None or "(" in (column["default"] or "")


def all_rows(conn: psycopg.Connection, table: str) -> Rows | None:
    """Every row of `table` as reference rows, keyed by its primary key (or, when that is a
    surrogate the database fills, by a not-null unique key, leaving the surrogate to the
    database), in key order, with every other column but generated ones and those that record
    when a row was written (a default of now()): every database that builds the rows has its own
    time, while a default such as `auth.uid()` would not give the row back. None when there is no
    such table."""
    with _qualified(conn):
        found = _fetch(conn, "tables/tables", schemas=[], external=[table])
        if not found:
            return None
        oid = found[0]["oid"]
        constraints = _fetch(conn, "tables/constraints", oids=[oid])
        described = {c["name"]: c for c in _fetch(conn, "tables/columns", oids=[oid])}
        key = next((tuple(c["columns"]) for c in constraints if c["kind"] == "p"), ())
        if not key:  # no primary key: a not-null unique one
            key = next((tuple(c["columns"]) for c in constraints if c["kind"] == "u" and all(described[k]["not_null"] for k in c["columns"])), ())
        surrogate: tuple[str, ...] = ()
        if key and all(_computed(described[k]) for k in key):
            # a surrogate key (identity, serial, gen_random_uuid()): rows are better matched by
            # a natural unique key, and the surrogate left to the database
            natural = next((tuple(c["columns"]) for c in constraints if c["kind"] == "u" and all(described[k]["not_null"] for k in c["columns"])), None)
            if natural:
                key, surrogate = natural, key
        columns = [name for name, c in described.items() if c["generated"] is None and name not in surrogate and (name in key or not _WRITTEN_AT.search(c["default"] or ""))]
        if not key:  # no key at all (Makerkit's one-row config): a row is all its columns
            key = tuple(columns)
        values = tuple(tuple(r) for r in _text_rows(conn, found[0]["schema"], found[0]["name"], [_as_text(c) for c in columns], key))
    return Rows(table, key, tuple(columns), values)


def attached_tables(conn: psycopg.Connection, schemas: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(r["name"] for r in _fetch(conn, "attached", schemas=list(schemas)))


def extensions(conn: psycopg.Connection, schemas: tuple[str, ...]) -> tuple[Extension, ...]:
    return _extensions(conn, list(schemas))


def default_privileges(conn: psycopg.Connection) -> tuple[DefaultPrivileges, ...]:
    return tuple(DefaultPrivileges(p["role"], p["schema"], p["on"], _grants(p["grants"])) for p in _fetch(conn, "default_privileges/default_privileges"))


def schemas(conn: psycopg.Connection, names: tuple[str, ...]) -> tuple[Schema, ...]:
    return _schemas(conn, list(names))


def _schemas(conn: psycopg.Connection, names: list[str]) -> tuple[Schema, ...]:
    return tuple(Schema(s["name"], _grants(s["grants"]), s["comment"]) for s in _fetch(conn, "schemas/schemas", schemas=names))


def enums(conn: psycopg.Connection, schemas: tuple[str, ...]) -> tuple[Enum, ...]:
    with _qualified(conn):
        return _enums(conn, list(schemas))
