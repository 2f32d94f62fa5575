"""A live database → the model `pull` writes: the pulled schemas' own objects, `external: true`
references to what they use of other schemas (platform tables, functions, enums), the reference
rows asked for, and the objects the YAML cannot express. All its database access is here."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

import psycopg
from .. import introspect as intro
from ..errors import ConfigError
from ..introspect import Scope, Unsupported
from ..platform import KNOWN_ROLES
from ..sql_expressions import parse, qualified_calls
from ..platform import API_ROLES, PLATFORM_PUBLICATIONS, STAND_IN_SCHEMA_USAGE, platform_role
from ..model import DEFAULT_PRIVILEGES, Catalog, DefaultPrivileges, Function, Grant, Publication, Rows, Schema, Table, privilege_order, qualify, split

# Extensions every database here has (the stand-in installs them where the platform does not):
# not the project's to declare.
STAND_IN_EXTENSIONS = frozenset({"plpgsql", "pgcrypto", "uuid-ossp"})
# Extensions hosted Supabase installs and manages itself: declared `external: true` (the YAML
# may name their objects), never created by a migration.
BUCKETS = "storage.buckets"  # reference rows pulled without asking
PLATFORM_EXTENSIONS = frozenset({"pg_graphql", "pg_stat_statements", "pgjwt", "supabase_vault", "pgsodium", "pg_cron", "pg_net"})


@dataclass(frozen=True)
class Pulled:
    catalog: Catalog  # the schemas' own objects plus `external` references to what they use
    schemas: tuple[str, ...]  # the schemas pulled (the rest of catalog.schemas is referenced)
    unsupported: tuple[Unsupported, ...]


def read(conn: psycopg.Connection, schemas: tuple[str, ...] = (), rows: tuple[str, ...] = ()) -> Pulled:
    """Everything of `schemas` (default: all the database's own), the reference rows of the
    tables named in `rows`, and what they reference of other schemas."""
    present = intro.user_schemas(conn)
    schemas = tuple(schemas) or tuple(present)
    unknown = [s for s in schemas if s not in present]
    if unknown:
        raise ConfigError(f"the database has no schema {', '.join(unknown)} to pull\n  hint: its schemas are {', '.join(present) or 'none'}")
    attached = intro.attached_tables(conn, schemas)
    catalog = intro.introspect(conn, Scope(schemas, attached), depends=False)  # the YAML has no use for the order of drops
    tables = [_own_table(t, schemas, catalog.default_privileges, conn.info.user) for t in catalog.tables]
    pulled_rows = tuple(_rows(conn, name) for name in rows)
    if not any(qualify(name) == BUCKETS for name in rows):
        # the buckets a project's migrations made (Makerkit's `account_image`): part of the schema
        buckets = intro.all_rows(conn, BUCKETS)
        if buckets is not None and buckets.values:
            pulled_rows += (buckets,)

    referenced_tables = {c.ref_table for t in tables for c in t.constraints if c.ref_table and split(c.ref_table)[0] not in schemas}
    referenced_tables |= {r.table for r in pulled_rows if split(r.table)[0] not in schemas}
    referenced_tables -= {t.qualname for t in tables}
    columns_of = {t.qualname: t.columns for t in intro.external_tables(conn, tuple(sorted(referenced_tables | set(attached))))}
    tables = [replace(t, columns=columns_of.get(t.qualname, ())) if t.external else t for t in tables]
    tables += [Table(*split(name), columns=columns_of.get(name, ()), external=True) for name in sorted(referenced_tables)]

    called = _called_functions(tables) - {f.qualname for f in catalog.functions}
    outside = tuple(sorted({split(qn)[0] for qn in called}))
    found = {f.qualname: f for f in intro.schema_functions(conn, outside)} if outside else {}
    externals = [replace(found[qn], external=True) if qn in found else Function(*split(qn), (), None, "", external=True) for qn in sorted(called)]

    foreign_types = _foreign_types(tables, catalog.functions + tuple(externals), schemas)  # an external function's signature too
    others = tuple(sorted({split(t)[0] for t in foreign_types}))
    enums = tuple(replace(e, external=True) for e in (intro.enums(conn, others) if others else ()) if e.qualname in foreign_types)

    publications = _publications(catalog, {t.qualname for t in tables if not t.external})
    extensions = [replace(e, external=e.name in PLATFORM_EXTENSIONS) for e in intro.extensions(conn, (*schemas, "extensions")) if e.name not in STAND_IN_EXTENSIONS]
    used = {split(t.qualname)[0] for t in tables} | {split(f.qualname)[0] for f in externals} | {e.schema for e in extensions} | {e.schema for e in enums} | set(schemas)
    own = {s.name: s for s in catalog.schemas}
    platform = _platform_schema_grants(conn, "public" in used)
    schema_objects = tuple(own[s] if s in own and s != "public" else Schema(s, platform.get(s), external=True) for s in sorted(used | set(platform)))
    return Pulled(
        replace(
            catalog,
            schemas=schema_objects,
            extensions=tuple(extensions),
            enums=catalog.enums + enums,
            tables=tuple(tables),
            functions=catalog.functions + tuple(externals),
            rows=pulled_rows,
            publications=publications,
            # what the role pulling (the one that runs migrations) sets for its own future objects
            default_privileges=tuple(p for p in catalog.default_privileges
                                     if p.role == conn.info.user and (p.schema is None or p.schema in schemas) and not _platforms(p))
                               + _platforms_removed(catalog.default_privileges, conn.info.user, schemas),
            roles=tuple(sorted(_roles_named(catalog) - KNOWN_ROLES)),
        ),
        schemas,
        intro.unsupported(conn, schemas),
    )


def _platform_schema_grants(conn: psycopg.Connection, public: bool) -> dict[str, tuple[Grant, ...]]:
    """The privileges on the platform's schemas, but for the platform's own roles: public's when
    it is pulled (every project's schema: said, so a later change is seen), the others' (storage,
    auth…) where they differ from what the stand-in grants."""
    found = {}
    for s in intro.schemas(conn, tuple(STAND_IN_SCHEMA_USAGE)):
        held = tuple(g for g in s.grants or () if not platform_role(g.role))
        if (public and s.name == "public") or held != tuple(Grant(role, ("usage",)) for role in sorted(STAND_IN_SCHEMA_USAGE[s.name])):
            found[s.name] = held
    return found


def _platforms_removed(entries: tuple[DefaultPrivileges, ...], role: str, schemas: tuple[str, ...]) -> tuple[DefaultPrivileges, ...]:
    """Supabase's defaults in public that this database no longer has (Makerkit revokes them):
    said as entries granting nothing, or the stand-in's would stay in a rebuild."""
    if role != "postgres" or "public" not in schemas:
        return ()
    held = {(p.role, p.schema, p.on) for p in entries}
    return tuple(DefaultPrivileges("postgres", "public", on, ()) for on in ("tables", "functions", "sequences") if ("postgres", "public", on) not in held)


def _platforms(p: DefaultPrivileges) -> bool:
    """Supabase's own defaults in public (every privilege to the API roles on new tables,
    functions and sequences of postgres): the platform's, as long as nobody changed them."""
    return p.role == "postgres" and p.schema == "public" and p.on in ("tables", "functions", "sequences") and p.grants == tuple(
        Grant(role, privilege_order(DEFAULT_PRIVILEGES[p.on])) for role in API_ROLES)


def _publications(catalog: Catalog, own: set[str]) -> tuple[Publication, ...]:
    """The project's publications (whose tables are all pulled) and the platform's, as external,
    with the pulled tables in it (when any is)."""
    out = []
    for p in catalog.publications:
        if p.name in PLATFORM_PUBLICATIONS:
            mine = tuple(t for t in p.tables if t.table in own)
            if mine:
                out.append(replace(p, tables=mine, schemas=(), all_tables=False, operations=("insert", "update", "delete", "truncate"), via_root=False, comment=None, external=True))
        elif all(t.table in own for t in p.tables) and not p.all_tables:
            out.append(p)
    return tuple(out)


def _foreign_types(tables: list[Table], functions: tuple[Function, ...], schemas: tuple[str, ...]) -> set[str]:
    """Qualified types of other schemas (an `auth` enum, say) that the pulled objects use."""
    spelled = [c.type for t in tables if not t.external for c in t.columns]
    for f in functions:
        spelled += [a.type for a in f.arguments] + [typ for _, typ in f.returns_table] + ([f.returns] if f.returns else [])
    found = set()
    for text in spelled:
        base = text.split("(")[0].removesuffix("[]").strip()
        schema, dot, _ = base.partition(".")
        if dot and schema not in schemas and schema not in ("pg_catalog", "extensions"):
            found.add(base)
    return found


def _roles_named(catalog: Catalog) -> set[str]:
    """Every role a grant or policy of the pulled schemas names."""
    grants = [g for s in catalog.schemas for g in s.grants or ()] + [g for f in catalog.functions for g in f.grants]
    grants += [g for v in catalog.views for g in v.grants]
    for t in catalog.tables:
        grants += [*t.grants, *(g for c in t.columns for g in c.grants)]
    return {g.role for g in grants} | {r for t in catalog.tables for p in t.policies for r in p.roles}


def _own_table(t: Table, schemas: tuple[str, ...], defaults: tuple[DefaultPrivileges, ...], role: str) -> Table:
    if t.external:  # a platform table: only what the pulled schemas attach to it
        return replace(t, triggers=tuple(tr for tr in t.triggers if split(tr.function)[0] in schemas))
    given = _new_sequence_grants(defaults, role, t.schema)
    return replace(t, columns=tuple(replace(c, sequence_grants=None) if c.sequence_grants == given else c for c in t.columns))


def _new_sequence_grants(defaults: tuple[DefaultPrivileges, ...], role: str, schema: str) -> tuple[Grant, ...]:
    """What a sequence `role` creates in `schema` is given: the role's defaults everywhere
    (PostgreSQL's own give nobody anything), plus those of the schema. A serial's or identity's
    sequence that holds exactly that is left to them in the YAML, as it will be on a rebuild."""
    held: dict[str, set[str]] = {}
    for p in defaults:
        if p.role == role and p.on == "sequences" and p.schema in (None, schema):
            for g in p.grants:
                held.setdefault(g.role, set()).update(g.privileges)
    return tuple(Grant(r, privilege_order(list(privs))) for r, privs in sorted(held.items()))


def _rows(conn: psycopg.Connection, name: str) -> Rows:
    rows = intro.all_rows(conn, qualify(name))
    if rows is None:
        raise ConfigError(f"--rows {name}: the database has no table {qualify(name)}")
    return rows


_QUALIFIED_CALL = re.compile(r"\w\s*\.\s*\"?\w+\"?\s*\(")


def _called_functions(tables: list[Table]) -> set[str]:
    """Schema-qualified functions the YAML's expressions call (what its validator checks), and
    trigger functions."""
    texts: list[str] = []
    for t in tables:
        texts += [p for pol in t.policies for p in (pol.using, pol.with_check) if p]
        texts += [c.default or "" for c in t.columns] + [c.expression or "" for c in t.constraints]
        texts += [tr.when or "" for tr in t.triggers]
    found = {tr.function for t in tables for tr in t.triggers}
    for text in filter(None, texts):
        if not _QUALIFIED_CALL.search(text):
            continue  # most defaults and checks (now(), 'x'::text) call nothing qualified: skip the parse
        tree = parse(text)
        if tree is not None:  # one sqlglot cannot read is not checked by the validator either
            found.update(qualified_calls(tree))
    return found
