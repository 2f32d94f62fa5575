"""Connections and database-level administration (create, clone, drop). Connection failures
become one clear DatabaseError that never shows the password."""
from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Iterator

import psycopg
from psycopg import sql

from .redaction import redact, scrub
from .errors import ConfigError, DatabaseError


def connect(url: str, autocommit: bool = True) -> psycopg.Connection:
    shown = redact(url)  # remembers its secrets too: libpq's message may print part of one
    try:
        return psycopg.connect(url, autocommit=autocommit, connect_timeout=5)
    except psycopg.OperationalError as e:
        reason = scrub(str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__)
        hint = ""
        if "does not exist" in reason and "database" in reason:
            hint = "\n  hint: `tickets-db reset` builds it (for the local database: the migrations, then the seeds)"
        raise DatabaseError(f"cannot connect to {shown}: {reason}{hint}") from None
    except psycopg.ProgrammingError:
        raise ConfigError(f"`{shown}` is not a database URL (postgresql://user@host:port/database)") from None


@contextmanager
def connection(url: str, autocommit: bool = True) -> Iterator[psycopg.Connection]:
    conn = connect(url, autocommit)
    try:
        yield conn
    finally:
        conn.close()


def database_exists(conn: psycopg.Connection, name: str) -> bool:
    return conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone() is not None


def drop_database(conn: psycopg.Connection, name: str) -> None:
    query = sql.SQL("drop database if exists {}").format(sql.Identifier(name))
    try:
        conn.execute(query + sql.SQL(" with (force)"))
        return
    except psycopg.errors.InsufficientPrivilege:
        # PostgreSQL 15 lets only a superuser's FORCE end an autovacuum worker (it has no role),
        # and the tool works as a non-superuser. Without FORCE, DROP DATABASE cancels autovacuum
        # itself; our own sessions we end first.
        pass
    except psycopg.Error as e:
        raise DatabaseError(f"cannot drop database {name}: {e.diag.message_primary or e}") from None
    try:
        conn.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = %s and usename = current_user and pid <> pg_backend_pid()", (name,))
        conn.execute(query)
    except psycopg.Error as e:
        raise DatabaseError(f"cannot drop database {name}: {e.diag.message_primary or e}") from None


def create_database(conn: psycopg.Connection, name: str, template: str | None = None, owner: str | None = None) -> None:
    query = sql.SQL("create database {}").format(sql.Identifier(name))
    if template:
        query += sql.SQL(" template {}").format(sql.Identifier(template))
    if owner:
        query += sql.SQL(" owner {}").format(sql.Identifier(owner))
    # A clone is refused while anyone is connected to the template; a connection closing a
    # moment earlier may still be on its way out (slowly, on a loaded machine), and `new` may be
    # patching the template in a rolled-back transaction: retry for a while.
    for attempt in range(200):
        try:
            conn.execute(query)
            return
        except psycopg.errors.ObjectInUse:
            if attempt == 199:
                users = conn.execute("select count(*) from pg_stat_activity where datname = %s", (template,)).fetchone()
                raise DatabaseError(f"cannot create {name}: template {template} is in use by {users[0] if users else 'another'} session(s)") from None
            time.sleep(0.05)
        except psycopg.Error as e:
            raise DatabaseError(f"cannot create database {name}: {e.diag.message_primary or e}") from None


def create_extension(conn: psycopg.Connection, name: str, package: str) -> None:
    """An untrusted extension for a throwaway database (pgTAP, plpgsql_check), in `extensions`."""
    try:
        conn.execute(sql.SQL("create extension if not exists {} with schema extensions").format(sql.Identifier(name)))
    except psycopg.errors.UndefinedFile:
        raise DatabaseError(f"{name} is not installed on the database server\n  hint: apt-get install {package} (make install does it)") from None
    except psycopg.errors.InsufficientPrivilege:
        raise DatabaseError(f"creating the {name} extension needs a superuser\n  hint: run against the local database, or give --db-url a role that may create extensions") from None


def owner_of(conn: psycopg.Connection, name: str) -> str | None:
    row = conn.execute("select pg_get_userbyid(datdba) from pg_database where datname = %s", (name,)).fetchone()
    return str(row[0]) if row else None


def databases_like(conn: psycopg.Connection, pattern: str) -> list[str]:
    return [r[0] for r in conn.execute("select datname from pg_database where not datistemplate and datname like %s", (pattern,))]


def in_use(conn: psycopg.Connection, name: str) -> bool:
    return conn.execute("select 1 from pg_stat_activity where datname = %s limit 1", (name,)).fetchone() is not None


def send_and_leave(conn: psycopg.Connection, query: sql.Composable) -> None:
    """Send `query` and return without its result: the server finishes a command it has begun
    whether or not its client stays (it reads from the client only between commands), and the
    connection's close ends the session after it. For work no one waits for."""
    conn.pgconn.send_query(query.as_bytes(conn))
    while conn.pgconn.flush():  # a non-blocking connection: until the whole message is out
        time.sleep(0.001)


def compact(conn: psycopg.Connection) -> None:
    """Rewrite the connected database's tables, catalogs included, without their dead rows and
    with every row frozen: for the platform template, which every other database here is cloned
    from. Compaction takes the stand-in's template from 8.0 MB to 6.9 (what installing it left dead), and a clone
    copies every page through the WAL (with fsync on, the clone is most of its cost), then sets
    hint bits on first read unless the rows are frozen. Not for the migrated templates: built
    once per change of the migrations, their compaction (~0.3 s) would cost more than it saves
    the few clones made of them (a reset takes a clone made ahead, target.after_reset).
    Shared catalogs are not the database's own (a clone does not copy them). Where this role may
    not rewrite a table, it stays as it is."""
    tables = conn.execute(
        "select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " where c.relkind in ('r', 'm') and not c.relisshared"
        " and (pg_has_role(c.relowner, 'usage') or pg_has_role((select datdba from pg_database where datname = current_database()), 'usage'))"
        " order by 1, 2").fetchall()
    if not tables:
        return
    try:
        conn.execute(sql.SQL("vacuum (full, freeze) {}").format(sql.SQL(", ").join(sql.Identifier(s, t) for s, t in tables)))
    except psycopg.errors.InsufficientPrivilege:
        pass


SPARE_PREFIX = "tdb_spare_"


def spare_name(template: str) -> str:
    """The clone of `template` kept ready for the next reset (target.after_reset)."""
    return SPARE_PREFIX + template


def mark_template(conn: psycopg.Connection, name: str) -> None:
    conn.execute(sql.SQL("alter database {} is_template true").format(sql.Identifier(name)))


def rename_database(conn: psycopg.Connection, name: str, to: str) -> None:
    conn.execute(sql.SQL("alter database {} rename to {}").format(sql.Identifier(name), sql.Identifier(to)))


def advisory_lock(conn: psycopg.Connection, key: str) -> None:
    """Wait for the session-level lock named `key`: held until this session ends, which the
    server does for a killed command too."""
    conn.execute("select pg_advisory_lock(hashtext(%s))", (key,))


def publish(conn: psycopg.Connection, tmp: str, name: str) -> None:
    """Rename into place and mark as template; a concurrent builder that won the race wins."""
    try:
        rename_database(conn, tmp, name)
    except psycopg.errors.DuplicateDatabase:
        drop_database(conn, tmp)
        return
    mark_template(conn, name)


def templates_starting_with(conn: psycopg.Connection, prefix: str) -> list[str]:
    """Published templates named `prefix…` (not the temporary `…_xxxxxx` ones being built)."""
    rows = conn.execute("select datname from pg_database where datistemplate and starts_with(datname, %s)", (prefix,)).fetchall()
    return [r[0] for r in rows]


def drop_template(conn: psycopg.Connection, name: str) -> None:
    conn.execute(sql.SQL("alter database {} is_template false").format(sql.Identifier(name)))
    drop_database(conn, name)
