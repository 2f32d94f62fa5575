"""The Supabase stand-in: roles, `auth`, `storage` and `extensions`, installed only where they
are missing (plain PostgreSQL) and never written into migrations, so the same migrations run
unchanged on hosted Supabase."""
from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from .errors import DatabaseError
from .lexer import top_level
from .resources import read_template

if TYPE_CHECKING:  # the names and lists above serve lint and typegen, which need no database
    import psycopg

API_ROLES = ("anon", "authenticated", "service_role")
# Publications hosted Supabase makes: never created or dropped by migrations (projects add tables).
PLATFORM_PUBLICATIONS = frozenset({"supabase_realtime", "supabase_realtime_messages_publication"})
PLATFORM_SCHEMAS = frozenset({"auth", "storage", "extensions", "pg_catalog", "information_schema", "tickets_db"})
# Schemas hosted Supabase keeps for its own services.
SUPABASE_SCHEMAS = frozenset({"graphql", "graphql_public", "realtime", "_realtime", "supabase_functions", "supabase_migrations", "vault", "pgsodium", "pgsodium_masks", "net", "cron", "pgbouncer", "_analytics"})

# Who may use the schemas the stand-in provides (as hosted Supabase grants it); a pulled database
# that grants otherwise (Makerkit revokes anon's) has its own privileges written in the YAML.
STAND_IN_SCHEMA_USAGE = {"public": ("public", *API_ROLES), "auth": API_ROLES, "storage": API_ROLES, "extensions": API_ROLES}

# The platform's own roles (hosted Supabase's service roles): whatever they hold on a schema the
# platform owns is the platform's business, never revoked by a project's exact grants.
PLATFORM_ROLES = frozenset({
    "postgres", "authenticator", "supabase_admin", "supabase_auth_admin", "supabase_storage_admin", "supabase_functions_admin",
    "supabase_realtime_admin", "supabase_replication_admin", "supabase_read_only_user", "supabase_etl_admin", "dashboard_user",
    "pgbouncer", "pgsodium_keyholder", "pgsodium_keyiduser", "pgsodium_keymaker",
})
KNOWN_ROLES = frozenset({"public", *API_ROLES, *PLATFORM_ROLES})


def platform_role(role: str) -> bool:
    """One of the platform's roles, or PostgreSQL's predefined ones (pg_database_owner…)."""
    return role in PLATFORM_ROLES or role.startswith("pg_")


def roles_sql() -> str:
    return read_template("platform/roles.sql")


def objects_sql() -> str:
    return read_template("platform/supabase.sql")


def pg_cron_sql() -> str:
    return read_template("platform/pg_cron.sql")


def version() -> str:
    """Changes whenever the stand-in does, so cached template databases are rebuilt."""
    return hashlib.sha256((roles_sql() + objects_sql() + pg_cron_sql()).encode()).hexdigest()[:10]


def template_name(pg_cron: bool = False) -> str:
    """The template database holding only the stand-in, from which app, shadow and test
    databases are cloned; a server that loads pg_cron has its own, with pg_cron placed in it."""
    return f"tdb_platform_{version()}" + ("_pg_cron" if pg_cron else "")


# The local cluster's pg_cron scheduler sits in this database (`cron.database_name`): one that
# exists, holds nothing, and is never cloned or dropped (a template the scheduler sat in could not
# be cloned). pg_cron's script refuses every other database except the name its own regression
# tests use, under which the pg_cron template is therefore built.
PG_CRON_DATABASE = "tdb_cron"
PG_CRON_BUILD = "contrib_regression"
_CLAIM = "extensions.tickets_db_create_pg_cron(text,text)"


def created_extension(text: str) -> tuple[str, str | None] | None:
    """The extension a `create extension` statement creates and the schema it names, read through
    the lexer (comments, quoted names and case as PostgreSQL reads them); None for any other statement."""
    words = [t.text.lower() if t.kind == "name" else t.text[1:-1].replace('""', '"') if t.kind == "quoted" else t.text
             for t in top_level(text)]
    if words[:2] != ["create", "extension"]:
        return None
    rest = words[5:] if words[2:5] == ["if", "not", "exists"] else words[2:]
    if not rest:
        return None
    schema = next((rest[i + 1] for i in range(1, len(rest) - 1) if rest[i] == "schema"), None)
    return rest[0], schema


def claim_pg_cron(conn: psycopg.Connection, schema: str | None) -> bool:
    """Let a migration's `create extension pg_cron` take the pg_cron the stand-in placed (see
    templates/platform/pg_cron.sql); False where there is none to take, and the statement runs as written."""
    if not unclaimed_pg_cron(conn):
        return False
    conn.execute("select extensions.tickets_db_create_pg_cron(current_user::text, %s)", (schema,))
    return True


def unclaimed_pg_cron(conn: psycopg.Connection) -> bool:
    """pg_cron is here only as the stand-in's offer: no migration has created it."""
    return bool(conn.execute("select to_regprocedure(%s) is not null", (_CLAIM,)).fetchone()[0])  # type: ignore[index]


def install_roles(conn: psycopg.Connection) -> None:
    conn.execute(roles_sql())


def is_installed(conn: psycopg.Connection) -> bool:
    row = conn.execute("select to_regclass('auth.users') is not null and to_regclass('storage.objects') is not null").fetchone()
    return bool(row and row[0])


def ensure(conn: psycopg.Connection) -> bool:
    """Install the stand-in if this database lacks it; returns whether it installed anything."""
    import psycopg

    if is_installed(conn):
        return False
    missing = [r for r in API_ROLES if conn.execute("select 1 from pg_roles where rolname = %s", (r,)).fetchone() is None]
    try:
        if missing:
            install_roles(conn)
        with conn.transaction():
            conn.execute(objects_sql())
    except psycopg.errors.InsufficientPrivilege as e:
        raise DatabaseError(
            f"this database lacks the Supabase objects (auth, storage) and the current role cannot create them: {e.diag.message_primary}"
            "\n  hint: connect once as a superuser, or point at a Supabase database"
        ) from None
    return True
