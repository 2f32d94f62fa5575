"""Apply pending migrations to a live database: one transaction per migration (after its
committed autocommit segment), a history table with checksums and durations, and an advisory
lock so concurrent runs apply each migration exactly once."""
from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterator

import psycopg
from psycopg import sql

from . import platform
from .config import display_path
from .errors import DatabaseError, MigrationError
from .migrations import Migration, Online, Parsed, Segment, Statement, parse

LOCK_KEY = 0x7469636B  # "tick": one key per database for every tickets-db run
HISTORY = """
create schema if not exists tickets_db;
create table if not exists tickets_db.migrations (
  version text primary key,
  name text not null,
  checksum text not null,
  applied_at timestamptz not null default now(),
  duration_ms integer not null
);
create table if not exists tickets_db.seeds (
  file text primary key,
  checksum text not null,
  applied_at timestamptz not null default now()
);
create table if not exists tickets_db.progress (
  version text not null,
  segment integer not null,
  done_at timestamptz not null default now(),
  primary key (version, segment)
);
"""


@dataclass(frozen=True, slots=True)
class Applied:
    version: str
    name: str
    checksum: str
    applied_at: object
    duration_ms: int


def ensure_history(conn: psycopg.Connection) -> None:
    if conn.execute("select to_regclass('tickets_db.progress')").fetchone()[0] is None:  # type: ignore[index]
        with conn.transaction():
            for st in HISTORY.split(";"):
                if st.strip():
                    conn.execute(st)


def supabase_history(conn: psycopg.Connection) -> dict[str, str] | None:
    """What the Supabase CLI recorded (`supabase db push`): version → name; None where the
    database has no supabase_migrations.schema_migrations (plain PostgreSQL)."""
    if conn.execute("select to_regclass('supabase_migrations.schema_migrations')").fetchone()[0] is None:  # type: ignore[index]
        return None
    # older CLI versions made the table without `name`
    named = "name" in _supabase_columns(conn)
    rows = conn.execute("select version, coalesce(name, version) from supabase_migrations.schema_migrations" if named
                        else "select version, version from supabase_migrations.schema_migrations").fetchall()
    return {str(v): str(n) for v, n in rows}


def _supabase_columns(conn: psycopg.Connection) -> set[str]:
    return {r[0] for r in conn.execute(
        "select column_name from information_schema.columns where table_schema = 'supabase_migrations' and table_name = 'schema_migrations'")}


def _record_for_supabase(conn: psycopg.Connection, m: Migration, parsed: Parsed | None) -> None:
    """Into the Supabase CLI's history too, where the database has it, so `supabase migration
    list` and `db push` see what tickets-db applied (the columns that CLI version has)."""
    columns = _supabase_columns(conn)
    if not columns:
        return
    values: dict[str, object] = {"version": m.version}
    if "name" in columns:
        values["name"] = m.name
    if "statements" in columns:
        parsed = parsed or parse(m.path)
        values["statements"] = [st.text for st in parsed.statements]
    query = sql.SQL("insert into supabase_migrations.schema_migrations ({}) values ({}) on conflict do nothing").format(
        sql.SQL(", ").join(map(sql.Identifier, values)), sql.SQL(", ").join(sql.Placeholder() * len(values)))
    conn.execute(query, list(values.values()))


def history(conn: psycopg.Connection) -> list[Applied]:
    if conn.execute("select to_regclass('tickets_db.migrations')").fetchone()[0] is None:  # type: ignore[index]
        return []
    rows = conn.execute("select version, name, checksum, applied_at, duration_ms from tickets_db.migrations order by version").fetchall()
    return [Applied(*r) for r in rows]


@contextmanager
def locked(conn: psycopg.Connection) -> Iterator[None]:
    """The database's migration lock for the block (re-entrant: PostgreSQL counts a session's
    advisory locks), so whatever prepares a database for its migrations (the platform stand-in,
    the history table) is done by one run at a time too."""
    conn.autocommit = True
    lock(conn)
    try:
        yield
    finally:
        if not conn.closed:
            unlock(conn)


def lock(conn: psycopg.Connection, timeout: float = 120.0) -> None:
    """pg_try_advisory_lock and poll: a blocking lock can deadlock with `create index concurrently`."""
    deadline = time.monotonic() + timeout
    while not conn.execute("select pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()[0]:  # type: ignore[index]
        if time.monotonic() > deadline:
            raise DatabaseError(f"another tickets-db run has held the migration lock for over {timeout:.0f}s")
        time.sleep(0.05)


def unlock(conn: psycopg.Connection) -> None:
    conn.execute("select pg_advisory_unlock(%s)", (LOCK_KEY,))


def execute(conn: psycopg.Connection, st: Statement, file: str) -> None:
    """One statement over the extended protocol (`binary` asks for it): PostgreSQL itself then
    refuses text that holds more than one command, so a statement our splitter took for one can
    never run as several. A `create extension pg_cron` takes the pg_cron the stand-in placed, as
    hosted Supabase creates it for the project (platform.claim_pg_cron)."""
    pg_cron = _creates_pg_cron(st)
    try:
        if pg_cron is not None and platform.claim_pg_cron(conn, schema=pg_cron[1]):
            return
        conn.cursor().execute(st.text, binary=True)
    except psycopg.errors.LockNotAvailable as e:
        error = statement_error(e, st, file)
        raise LockTimeout(error.file, error.line, error.message, error.statement, error.hint) from None
    except psycopg.Error as e:
        error = statement_error(e, st, file)
        if pg_cron is not None and not isinstance(e, (psycopg.errors.DuplicateObject, psycopg.errors.InvalidSchemaName)):
            error = replace(error, hint=PG_CRON_HINT)  # not there to create (`already exists` and a missing schema say what they mean)
        raise error from None


def _creates_pg_cron(st: Statement) -> tuple[str, str | None] | None:
    """A `create extension pg_cron` (and the schema it names), which execute() runs as a claim."""
    created = platform.created_extension(st.text) if "pg_cron" in st.text else None
    return created if created is not None and created[0] == "pg_cron" else None


PG_CRON_HINT = ("hosted Supabase lets a project create pg_cron; elsewhere the server needs PostgreSQL's pg_cron package (Debian:"
                " postgresql-15-cron) and must load it (shared_preload_libraries). The local database loads it once the package is"
                " installed: `tickets-db stop`, then `tickets-db reset` (a database made before has no pg_cron to create)")


def statement_error(e: psycopg.Error, st: Statement, file: str) -> MigrationError:
    diag = e.diag
    line = st.line
    if diag.statement_position:
        line += st.text[: int(diag.statement_position) - 1].count("\n")
    message = diag.message_primary or str(e).strip()
    if diag.message_detail:
        message += f" ({diag.message_detail})"
    return MigrationError(file, line, message, st.text, diag.message_hint)


def verify_applied(migrations: list[Migration], applied: list[Applied], directory: Path | None = None) -> None:
    """What was applied must still be there as it was: an edited file (checksum) or a missing
    one means the folder no longer describes the database."""
    by_version = {m.version: m for m in migrations}
    for a in applied:
        m = by_version.get(a.version)
        if m is not None and m.checksum != a.checksum:
            raise MigrationError(
                str(m.path), None, "this migration was edited after it was applied (checksum differs)",
                hint="restore the file (git checkout), and put the change in a new migration: `tickets-db new NAME`",
            )
    missing = [a for a in applied if a.version not in by_version]
    if missing:
        names = ", ".join(f"{a.version}_{a.name}.sql" for a in missing)
        raise MigrationError(
            str(directory or "migrations"), None, f"applied to the database but missing from the folder: {names}",
            hint="restore the file(s) (git checkout, or merge the branch that added them); the database holds what they built",
        )


def out_of_order(migrations: list[Migration], applied: list[Applied]) -> list[Migration]:
    """Pending migrations older than the newest applied one (a branch merged late): applying
    them runs them after migrations that were written to follow them."""
    newest = max((a.version for a in applied), default="")
    return [m for m in pending(migrations, applied) if m.version < newest]


def pending(migrations: list[Migration], applied: list[Applied]) -> list[Migration]:
    done = {a.version for a in applied}
    return [m for m in migrations if m.version not in done]


class LockTimeout(MigrationError):
    """A statement of an online migration gave up waiting for its lock (lock_timeout)."""


def run(conn: psycopg.Connection, parsed: Parsed, file: str, record: Callable[[int], None] | None = None,
        done: int = 0, progress: Callable[[int], None] | None = None) -> int:
    """A migration's statements as every migration runs: segment by segment, an autocommit
    segment one statement at a time, a transaction segment as one transaction. The last segment's
    transaction takes `record` (the history row); every earlier one `progress` (which segment is
    done), so a migration stopped halfway resumes after the last committed segment (`done`). An
    online migration runs each segment under its lock_timeout and tries it again when the lock
    was not had in time, and commits without waiting for the disk (a lock is held until the
    commit returns, so the flush would be part of every writer's wait; a server crash meanwhile
    loses a segment with its bookkeeping, and the next migrate runs it again); one synchronous
    commit at the end puts it all on disk before success is reported. The proof of a plan runs
    its text through here too. Returns the duration in ms."""
    started = time.perf_counter()
    last = len(parsed.segments) - 1
    if parsed.online is not None:
        conn.execute(sql.SQL("set lock_timeout = {}").format(sql.Literal(f"{parsed.online.lock_timeout_ms}ms")))
        conn.execute("set synchronous_commit = off")
        _warm_up(conn)
    try:
        for i, segment in enumerate(parsed.segments):
            if i < done:
                continue

            def finish(i: int = i) -> None:
                if i == last and record is not None:
                    record(int((time.perf_counter() - started) * 1000))
                elif i != last and progress is not None:
                    progress(i)

            if segment.autocommit:
                for st in segment.statements:
                    _retried(parsed.online, lambda st=st: _autocommit(conn, st, file))  # type: ignore[misc]
                if i == last or progress is not None:
                    with conn.transaction():
                        finish()
            else:
                _retried(parsed.online, lambda segment=segment, finish=finish: _transaction(conn, segment, file, finish, parsed.online is not None))  # type: ignore[misc]
        if not parsed.segments and record is not None:
            with conn.transaction():
                record(0)
        if parsed.online is not None:
            conn.execute("set synchronous_commit = on")
            with conn.transaction():
                conn.execute("select pg_current_xact_id()")  # a commit record, flushed with all before it
    finally:
        if parsed.online is not None and not conn.closed:
            conn.execute("reset lock_timeout")
            conn.execute("reset synchronous_commit")
    return int((time.perf_counter() - started) * 1000)


def _warm_up(conn: psycopg.Connection) -> None:
    """A session's first ALTER TABLE opens the catalogs it writes (pg_constraint, pg_depend,
    pg_attribute and their indexes) and fills its caches — under the table's lock, so a writer
    waits for it: 1.1 ms where a warm session takes 0.3. An online migration's session does it
    first on a temporary table of its own, in a transaction that rolls back."""
    try:
        with conn.transaction(force_rollback=True):
            conn.execute("create temporary table tickets_db_warm_up (id int primary key, name text) on commit drop")
            conn.execute("alter table tickets_db_warm_up add constraint tickets_db_warm_up_check check (name is not null) not valid")
            conn.execute("alter table tickets_db_warm_up alter column name set not null")
            conn.execute("alter table tickets_db_warm_up drop constraint tickets_db_warm_up_check")
    except psycopg.Error:
        pass  # no temporary tables for this role: the locks are held a little longer, nothing else


def _transaction(conn: psycopg.Connection, segment: Segment, file: str, finish: Callable[[], None], online: bool = False) -> None:
    """An online migration's transaction does its bookkeeping first, then sends its statements
    and the commit in one pipeline (each statement still its own extended-protocol message, so
    none can hold a second command): a lock a statement takes is held for the server's work
    only, not for a round trip to the client between statements and before the commit — on a
    hosted database, milliseconds each, while every writer queues behind the lock. A failure
    rolls it all back, and the transaction runs again statement by statement, which says which
    statement failed, and where. Still one transaction: all or nothing; the recorded duration
    then ends before the last segment's statements (a few milliseconds)."""
    if online and not any(_creates_pg_cron(st) for st in segment.statements):  # a claim reads as it goes
        try:
            with conn.pipeline(), conn.transaction():
                finish()
                for st in segment.statements:
                    conn.cursor().execute(st.text, binary=True)
            return
        except psycopg.Error:
            pass
    with conn.transaction():
        if online:
            finish()
        for st in segment.statements:
            execute(conn, st, file)
        if not online:
            finish()


def _autocommit(conn: psycopg.Connection, st: Statement, file: str) -> None:
    """A statement that commits on its own. A `create index concurrently` that failed or was
    killed leaves an INVALID index under its name, which `if not exists` would keep: dropped
    first, so the build runs again."""
    from .sql_expressions import concurrent_index_name

    name = concurrent_index_name(st.text)
    if name is not None:
        invalid = conn.execute(
            "select n.nspname::text, c.relname::text from pg_class c join pg_namespace n on n.oid = c.relnamespace join pg_index i on i.indexrelid = c.oid"
            " where c.oid = to_regclass(%s) and not i.indisvalid", (name,)).fetchone()
        if invalid is not None:
            execute(conn, Statement(sql.SQL("drop index concurrently if exists {}").format(sql.Identifier(*invalid)).as_string(conn), st.line), file)
    execute(conn, st, file)


def _retried(online: Online | None, attempt: Callable[[], None]) -> None:
    """`attempt`, tried again (up to the online migration's retries, waiting longer each time)
    when a lock was not had within lock_timeout; anything else fails at once."""
    tries = online.retries if online is not None else 0
    for n in range(tries + 1):
        try:
            attempt()
            return
        except LockTimeout as e:
            if n == tries:
                raise LockTimeout(e.file, e.line, f"{e.message}: the lock was not had within lock_timeout in {tries + 1} tries"
                                  " (what committed stays; the next `migrate` resumes after it)", e.statement, e.hint) from None
            time.sleep(min(0.1 * 2 ** n, 5.0))


def apply_one(conn: psycopg.Connection, m: Migration, display: str | None = None) -> int:
    """Run one migration, or what is left of it; returns its duration in ms. On failure the
    failing segment rolls back and the segments before it stay done (recorded in progress)."""
    parsed = parse(m.path)
    done = segments_done(conn, m.version)

    def record(duration: int) -> None:
        conn.execute("delete from tickets_db.progress where version = %s", (m.version,))
        mark(conn, m, duration, parsed=parsed)

    def progress(segment: int) -> None:
        conn.execute("insert into tickets_db.progress (version, segment) values (%s, %s) on conflict do nothing", (m.version, segment))

    return run(conn, parsed, display or str(m.path), record, done, progress)


def segments_done(conn: psycopg.Connection, version: str) -> int:
    """How many leading segments of a migration committed before it stopped (0: none)."""
    if conn.execute("select to_regclass('tickets_db.progress')").fetchone()[0] is None:  # type: ignore[index]
        return 0
    row = conn.execute("select max(segment) + 1 from tickets_db.progress where version = %s", (version,)).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def mark(conn: psycopg.Connection, m: Migration, duration: int = 0, supabase: bool = True, parsed: Parsed | None = None) -> None:
    """`m` applied, in tickets-db's history and (with `supabase`) in the Supabase CLI's."""
    conn.execute(
        "insert into tickets_db.migrations (version, name, checksum, duration_ms) values (%s, %s, %s, %s)",
        (m.version, m.name, m.checksum, duration),
    )
    if supabase:
        _record_for_supabase(conn, m, parsed)


def migrate(conn: psycopg.Connection, migrations: list[Migration], root: Path | None = None, allow_out_of_order: bool = False,
            directory: Path | None = None) -> list[tuple[Migration, int]]:
    """Apply what is pending, under the lock. Returns (migration, ms) for each one applied."""
    with locked(conn):
        ensure_history(conn)
        adopt_supabase_history(conn, migrations)
        done = []
        for m in to_apply(conn, migrations, root, allow_out_of_order, directory):
            done.append((m, apply_one(conn, m, display_path(m.path, root))))
        return done


def adopt_supabase_history(conn: psycopg.Connection, migrations: list[Migration]) -> list[Migration]:
    """The files the Supabase CLI applied and tickets-db has not recorded: recorded as applied
    (with the file's checksum as it is now), never run again."""
    theirs = supabase_history(conn)
    if not theirs:
        return []
    ours = {a.version for a in history(conn)}
    adopted = [m for m in migrations if m.version in theirs and m.version not in ours]
    with conn.transaction():
        for m in adopted:
            mark(conn, m, supabase=False)
    return adopted


def baseline(conn: psycopg.Connection, migrations: list[Migration], version: str) -> list[Migration]:
    """Every migration up to `version` marked applied without running it (a database built
    before the tool came, as `alembic stamp` or Atlas's baseline): in both histories."""
    with locked(conn):
        ensure_history(conn)
        adopt_supabase_history(conn, migrations)
        ours = {a.version for a in history(conn)}
        marked = [m for m in migrations if m.version <= version and m.version not in ours]
        with conn.transaction():
            for m in marked:
                mark(conn, m)
        return marked


def repair(conn: psycopg.Connection, migrations: list[Migration], versions: list[str], applied: bool) -> list[str]:
    """Mark `versions` applied (without running them) or reverted (without undoing them), in
    both histories, as `supabase migration repair --status applied|reverted` does: a history that
    says something else than the database (a file run by hand, a failed deploy cleaned up by
    hand). Returns the versions whose record changed."""
    by_version = {m.version: m for m in migrations}
    with locked(conn):
        ensure_history(conn)
        ours = {a.version for a in history(conn)}
        theirs = supabase_history(conn)
        changed = []
        with conn.transaction():
            for v in versions:
                if applied:
                    m = by_version[v]
                    if v not in ours:
                        mark(conn, m, supabase=False)
                    if theirs is not None and v not in theirs:
                        _record_for_supabase(conn, m, None)
                    if v not in ours or (theirs is not None and v not in theirs):
                        changed.append(v)
                else:
                    gone = conn.execute("delete from tickets_db.migrations where version = %s", (v,)).rowcount
                    if theirs is not None:
                        gone += conn.execute("delete from supabase_migrations.schema_migrations where version = %s", (v,)).rowcount
                    if gone:
                        changed.append(v)
        return changed


def to_apply(conn: psycopg.Connection, migrations: list[Migration], root: Path | None = None, allow_out_of_order: bool = False,
             directory: Path | None = None) -> list[Migration]:
    """What `migrate` would run, in order, after its checks (an applied file edited or gone, a
    pending one out of order); reads only, so `migrate --dry-run` changes nothing."""
    applied = history(conn)
    verify_applied(migrations, applied, directory)
    ours = {a.version for a in applied}
    applied += [Applied(v, n, "", None, 0) for v, n in (supabase_history(conn) or {}).items() if v not in ours]  # run by the Supabase CLI
    late = out_of_order(migrations, applied)
    if late and not allow_out_of_order:
        newest = max(a.version for a in applied)
        raise MigrationError(
            display_path(late[0].path, root), None,
            f"older than the newest applied migration ({newest}): applying {'it' if len(late) == 1 else f'these {len(late)}'} now would run {'it' if len(late) == 1 else 'them'} out of order"
            + ("" if len(late) == 1 else " (" + ", ".join(m.filename for m in late) + ")"),
            hint=f"if that is intended (a branch merged late), run `tickets-db migrate --allow-out-of-order`; else give it a version after {newest}",
        )
    return pending(migrations, applied)
