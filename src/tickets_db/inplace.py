"""`reset` of a database it may not drop, or one that holds the real platform (hosted Supabase:
nobody drops `postgres`, and a re-created database would get the stand-in instead of the real
auth and storage): in place, as `supabase db reset --linked` does.

What goes is what the project put there: its schemas, everything of its own in `public`, its
extensions, publications, policies and triggers on the platform's tables and its rows in them
(which of these are the project's is read from a build of the same migrations and seeds on the
stand-in, beside the stand-in alone), and both migration histories. The platform's own schemas,
objects and other rows (users who signed up, files) stay. Every privilege needed is checked
before anything is removed, and the removal is one transaction; then the migrations run again."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from . import db
from .errors import DatabaseError
from .migrations import Migration
from .platform import PLATFORM_PUBLICATIONS, PLATFORM_ROLES, PLATFORM_SCHEMAS, SUPABASE_SCHEMAS, unclaimed_pg_cron
from .seed import SeedFile
from .target import Target, reset_problems, reset as rebuild

# The platform's schemas whose tables a project may add policies, triggers and rows to.
PLATFORM_TABLE_SCHEMAS = sorted((PLATFORM_SCHEMAS | SUPABASE_SCHEMAS) - {"tickets_db", "pg_catalog", "information_schema"})
KEPT_SCHEMAS = PLATFORM_SCHEMAS | SUPABASE_SCHEMAS | {"public"}
HISTORY_SCHEMA = "tickets_db"

Key = tuple[str, str, str]  # schema, table, name


@dataclass(frozen=True, slots=True)
class Rows:
    """Rows of one platform table, by primary key (as text)."""

    schema: str
    table: str
    key: tuple[str, ...]
    values: frozenset[tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class State:
    schemas: frozenset[str]
    extensions: frozenset[str]
    policies: frozenset[Key]
    triggers: frozenset[Key]
    rows: tuple[Rows, ...]


@dataclass(frozen=True, slots=True)
class Footprint:
    """What the project's migrations and seeds add to the stand-in."""

    schemas: frozenset[str]
    extensions: frozenset[str]
    policies: frozenset[Key]
    triggers: frozenset[Key]
    rows: tuple[Rows, ...]


def real_platform(conn: psycopg.Connection) -> bool:
    """Whether the database holds Supabase's own auth and storage (their services' migration
    tables), not the stand-in: it must never be dropped and re-created with the stand-in."""
    row = conn.execute("select to_regclass('auth.schema_migrations') is not null or to_regclass('storage.migrations') is not null").fetchone()
    return bool(row and row[0])


def read_state(conn: psycopg.Connection) -> State:
    schemas = frozenset(r[0] for r in conn.execute("select nspname::text from pg_namespace where nspname !~ '^pg_' and nspname <> 'information_schema'"))
    # pg_cron the stand-in only offers is not there for the footprint (a migration that creates it makes it the project's)
    extensions = frozenset(r[0] for r in conn.execute("select extname::text from pg_extension")) - ({"pg_cron"} if unclaimed_pg_cron(conn) else set())
    policies = frozenset((r[0], r[1], r[2]) for r in conn.execute(
        "select schemaname::text, tablename::text, policyname::text from pg_policies where schemaname = any(%s)", (PLATFORM_TABLE_SCHEMAS,)))
    triggers = frozenset((r[0], r[1], r[2]) for r in conn.execute(
        "select n.nspname::text, c.relname::text, t.tgname::text from pg_trigger t join pg_class c on c.oid = t.tgrelid"
        " join pg_namespace n on n.oid = c.relnamespace where not t.tgisinternal and n.nspname = any(%s)", (PLATFORM_TABLE_SCHEMAS,)))
    keyed = conn.execute(
        "select n.nspname::text, c.relname::text, array_agg(a.attname::text order by k.ord)"
        " from pg_constraint x join pg_class c on c.oid = x.conrelid join pg_namespace n on n.oid = c.relnamespace"
        " cross join lateral unnest(x.conkey) with ordinality k(attnum, ord) join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum"
        " where x.contype = 'p' and n.nspname = any(%s) and c.relkind in ('r', 'p') group by 1, 2 order by 1, 2", (PLATFORM_TABLE_SCHEMAS,)).fetchall()
    rows = []
    for schema, table, key in keyed:
        query = sql.SQL("select {} from {}").format(sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(k)) for k in key), sql.Identifier(schema, table))
        try:
            with conn.transaction():
                values = frozenset(tuple(r) for r in conn.execute(query))
        except psycopg.errors.InsufficientPrivilege:
            continue  # a table this role may not read is not one its project wrote rows into
        rows.append(Rows(schema, table, tuple(key), values))
    return State(schemas, extensions, policies, triggers, tuple(rows))


def footprint_of(stand_in: State, built: State) -> Footprint:
    base_rows = {(r.schema, r.table): r.values for r in stand_in.rows}
    rows = tuple(Rows(r.schema, r.table, r.key, r.values - base_rows.get((r.schema, r.table), frozenset()))
                 for r in built.rows if r.values - base_rows.get((r.schema, r.table), frozenset()))
    return Footprint(built.schemas - stand_in.schemas - {"public"}, built.extensions - stand_in.extensions,
                     built.policies - stand_in.policies, built.triggers - stand_in.triggers, rows)


def footprint(workspace: Target, migrations: list[Migration], seeds: list[SeedFile], root: Path | None) -> Footprint:
    """Built on the workspace (never the database being reset): the stand-in, and a throwaway
    clone of it with the migrations and seeds."""
    from .seed import load as load_seeds

    with db.connection(workspace.url_for(workspace.platform_template())) as conn:
        stand_in = read_state(conn)
    with workspace.shadow(workspace.migrated_template(migrations)) as url, db.connection(url) as conn:
        if seeds:
            load_seeds(conn, seeds, root)
        built = read_state(conn)
    return footprint_of(stand_in, built)


@dataclass(frozen=True, slots=True)
class Owned:
    kind: str  # schema, table, view, …, function, type, extension, publication (a key of DROP)
    schema: str | None  # None for what is not in a schema
    name: str
    owner: str
    arguments: str | None = None  # a routine's, as pg_get_function_identity_arguments spells them

    @property
    def shown(self) -> str:
        return f"{self.kind} {self.schema + '.' if self.schema else ''}{self.name}"

    @property
    def target(self) -> sql.Composable:
        named = sql.Identifier(self.schema, self.name) if self.schema else sql.Identifier(self.name)
        # the catalog's own spelling of the argument types (already quoted where they must be)
        return named if self.arguments is None else sql.SQL("{}({})").format(named, sql.SQL(self.arguments))


OWNED = """
select 'schema', null, n.nspname::text, pg_get_userbyid(n.nspowner), null from pg_namespace n
where n.nspname !~ '^pg_' and n.nspname <> 'information_schema' and not (n.nspname = any(%(kept)s))
  and not exists (select 1 from pg_depend d where d.classid = 'pg_namespace'::regclass and d.objid = n.oid and d.deptype = 'e')
union all
select case c.relkind when 'v' then 'view' when 'm' then 'materialized view' when 'S' then 'sequence' when 'f' then 'foreign table' else 'table' end,
       n.nspname::text, c.relname::text, pg_get_userbyid(c.relowner), null
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f') and not c.relispartition
  and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('e', 'a', 'i'))
union all
select case p.prokind when 'a' then 'aggregate' else 'routine' end, n.nspname::text, p.proname::text, pg_get_userbyid(p.proowner),
       pg_get_function_identity_arguments(p.oid)
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where n.nspname = 'public' and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
union all
select case t.typtype when 'd' then 'domain' else 'type' end, n.nspname::text, t.typname::text, pg_get_userbyid(t.typowner), null
from pg_type t join pg_namespace n on n.oid = t.typnamespace
where n.nspname = 'public' and t.typtype in ('e', 'd', 'r', 'c', 'b') and t.typcategory <> 'A'
  and (t.typrelid = 0 or exists (select 1 from pg_class r where r.oid = t.typrelid and r.relkind = 'c'))
  and not exists (select 1 from pg_depend d where d.classid = 'pg_type'::regclass and d.objid = t.oid and d.deptype in ('e', 'i'))
union all
select 'extension', null, e.extname::text, pg_get_userbyid(e.extowner), null from pg_extension e where e.extname = any(%(extensions)s)
union all
select 'publication', null, p.pubname::text, pg_get_userbyid(p.pubowner), null from pg_publication p where not (p.pubname = any(%(publications)s))
"""
# How each kind goes, in the order the removal takes them (publications and extensions before the
# schemas their objects may live in; cascade takes what depends on each).
DROP = {kind: sql.SQL(f"drop {kind} if exists {{}} cascade") for kind in (
    "publication", "extension", "schema", "table", "view", "materialized view", "sequence", "foreign table", "routine", "aggregate", "type", "domain")}


def _platform_owner(role: str) -> bool:
    """Owned by the platform's service roles, never by the project (which runs as postgres)."""
    return (role in PLATFORM_ROLES and role != "postgres") or role.startswith("pg_")


@dataclass(frozen=True, slots=True)
class Plan:
    owned: tuple[Owned, ...]
    policies: tuple[Key, ...]
    triggers: tuple[Key, ...]
    rows: tuple[Rows, ...]
    supabase_history: bool


def plan(conn: psycopg.Connection, fp: Footprint) -> Plan:
    """What goes from the live database: the footprint's schemas, extensions, policies, triggers
    and rows where they are there, and whatever else the project's roles own in public or in a
    schema that is not the platform's (what older migrations left)."""
    params = {"kept": sorted(KEPT_SCHEMAS - {HISTORY_SCHEMA} - fp.schemas), "extensions": sorted(fp.extensions), "publications": sorted(PLATFORM_PUBLICATIONS)}
    # the footprint's schemas and extensions are the project's whoever owns them now (a role it
    # may not act for makes the reset refuse); anything else, when a platform role does not own it
    owned = [Owned(*row) for row in conn.execute(OWNED, params)]
    owned = [o for o in owned if o.kind == "extension" or (o.kind == "schema" and o.name in fp.schemas | {HISTORY_SCHEMA}) or not _platform_owner(o.owner)]
    live = read_state(conn)
    rows = []
    for r in fp.rows:
        there = next((x for x in live.rows if (x.schema, x.table) == (r.schema, r.table)), None)
        if there is not None and r.values & there.values:
            rows.append(Rows(r.schema, r.table, r.key, r.values & there.values))
    history = conn.execute("select to_regclass('supabase_migrations.schema_migrations') is not null").fetchone()
    return Plan(tuple(owned), tuple(sorted(fp.policies & live.policies)), tuple(sorted(fp.triggers & live.triggers)), tuple(rows), bool(history and history[0]))


def problems(conn: psycopg.Connection, p: Plan) -> list[str]:
    """Every privilege the removal needs that the role lacks (empty: it may go ahead)."""
    superuser = conn.execute("select rolsuper from pg_roles where rolname = current_user").fetchone()
    if superuser and superuser[0]:
        return []

    def member(role: str) -> bool:
        row = conn.execute("select pg_has_role(current_user, %s, 'usage')", (role,)).fetchone()
        return bool(row and row[0])

    out = [f"{o.shown} belongs to {o.owner}" for o in p.owned if not member(o.owner)]
    for schema, table, name in (*p.policies, *p.triggers):
        owner = conn.execute("select pg_get_userbyid(relowner) from pg_class where oid = %s::regclass", (sql.Identifier(schema, table).as_string(conn),)).fetchone()
        if owner and not member(str(owner[0])):
            out.append(f"{name} on {schema}.{table}: only {owner[0]}, the table's owner, may drop it")
    for r in p.rows:
        allowed = conn.execute("select has_table_privilege(%s, 'delete')", (sql.Identifier(r.schema, r.table).as_string(conn),)).fetchone()
        if not (allowed and allowed[0]):
            out.append(f"the project's rows in {r.schema}.{r.table}: no delete privilege")
    if p.supabase_history and not conn.execute("select has_table_privilege('supabase_migrations.schema_migrations', 'delete')").fetchone()[0]:  # type: ignore[index]
        out.append("supabase_migrations.schema_migrations: no delete privilege")
    return out


def remove(conn: psycopg.Connection, p: Plan) -> None:
    """The plan, in one transaction: all of it, or (on any error) nothing."""
    with conn.transaction():
        for schema, table, name in p.policies:
            conn.execute(sql.SQL("drop policy if exists {} on {}").format(sql.Identifier(name), sql.Identifier(schema, table)))
        for schema, table, name in p.triggers:
            conn.execute(sql.SQL("drop trigger if exists {} on {}").format(sql.Identifier(name), sql.Identifier(schema, table)))
        for r in p.rows:
            _delete_rows(conn, r)
        for o in sorted(p.owned, key=lambda o: list(DROP).index(o.kind)):
            conn.execute(DROP[o.kind].format(o.target))
        if p.supabase_history:
            conn.execute("delete from supabase_migrations.schema_migrations")


def _delete_rows(conn: psycopg.Connection, r: Rows) -> None:
    """The rows by key; rows of other platform tables that reference them (a bucket's files)
    first, where the reference is one column."""
    table = sql.Identifier(r.schema, r.table)
    if len(r.key) == 1:
        for child_schema, child, column in conn.execute(
                "select n.nspname::text, c.relname::text, a.attname::text from pg_constraint x join pg_class c on c.oid = x.conrelid"
                " join pg_namespace n on n.oid = c.relnamespace join pg_attribute a on a.attrelid = c.oid and a.attnum = x.conkey[1]"
                " where x.contype = 'f' and x.confrelid = %s::regclass and cardinality(x.conkey) = 1", (table.as_string(conn),)).fetchall():
            conn.execute(sql.SQL("delete from {} where {}::text = any(%s)").format(sql.Identifier(child_schema, child), sql.Identifier(column)),
                         ([v[0] for v in r.values],))
    key = sql.SQL("({})").format(sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(k)) for k in r.key))
    for values in r.values:
        match = sql.SQL("({})").format(sql.SQL(", ").join(sql.Placeholder() * len(values)))
        deleted = conn.execute(sql.SQL("delete from {} where {} = {}").format(table, key, match), list(values)).rowcount
        if deleted != 1:  # row level security hid it from this role: stop before anything is half done
            raise DatabaseError(f"cannot reset in place: the row {values} of {r.schema}.{r.table} could not be deleted (row level security?); nothing was changed")


def reset_in_place(target: Target, migrations: list[Migration], seeds: list[SeedFile]) -> None:
    """Remove what the project put into the database, checked first, then run the migrations."""
    from .runner import locked, migrate

    from .platform import ensure

    with db.connection(target.url) as conn:
        try:
            ensure(conn)  # only adds, and only where the stand-in is missing: before anything goes
        except DatabaseError as e:
            raise DatabaseError(f"cannot reset {target.display} in place; nothing was changed: {e}") from None
    fp = footprint(target.workspace(), migrations, seeds, target.project.root)
    with db.connection(target.url) as conn:
        p = plan(conn, fp)
        missing = problems(conn, p)
        if missing:
            raise DatabaseError(f"cannot reset {target.display} in place; nothing was changed:\n" + "\n".join(f"  - {m}" for m in missing)
                                + "\n  hint: connect as the role that ran the migrations (Supabase: postgres)")
        with locked(conn):
            remove(conn, p)
            migrate(conn, migrations, target.project.root, directory=target.project.migrations_dir)



def reset(target: Target, migrations: list[Migration], seeds: list[SeedFile]) -> str | None:
    """`reset`: dropped and re-created (target.reset) where that is allowed and safe; in place
    (above) where the database holds the real platform, or this role may not drop and re-create
    it. Returns why it was reset in place, else None."""
    if target.cluster is not None:
        rebuild(target, migrations)
        return None
    try:
        with db.connection(target.admin_url()) as conn:
            exists = db.database_exists(conn, target.database)
            owner, missing = reset_problems(conn, target.database)
    except DatabaseError:  # no other database to connect to (a pooler, a hosted project)
        exists, owner, missing = True, "", [f"no other database of the server is reachable to re-create {target.database} from"]
    if not exists and missing:
        raise DatabaseError(f"cannot create {target.display}; nothing was changed:\n" + "\n".join(f"  - {p}" for p in missing))
    why = "; ".join(missing) or None
    if exists:
        with db.connection(target.url) as conn:
            if real_platform(conn):
                why = "it holds the platform's own auth and storage"
    if why is not None:
        reset_in_place(target, migrations, seeds)
        return why
    rebuild(target, migrations, owner)
    return None
