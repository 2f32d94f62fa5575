"""The database a command works on (the embedded cluster or a URL), and the databases built
beside it: the platform template, per-version migrated templates that make `reset` a clone,
and throwaway shadow databases for `new` and `check`."""
from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Callable, Iterator

import psycopg

from . import db, platform
from .config import Project, database_of, with_database
from .errors import DatabaseError
from .redaction import redact
from .migrations import Migration, checksum

if TYPE_CHECKING:  # the cluster code (subprocess, sockets) loads only when a command needs it
    from .localdb import Cluster


SHADOW_ENV = "TICKETS_DB_SHADOW_URL"


@dataclass
class Target:
    url: str
    is_local: bool
    project: Project
    cluster: "Cluster | None" = None
    shadow_url: str | None = None  # a server for throwaway databases other than this one

    def workspace(self) -> "Target":
        """Where throwaway databases are built when this database may only be read (`diff`,
        `pull`): the shadow server the user named (--shadow-url, $TICKETS_DB_SHADOW_URL), else
        the local embedded cluster — never the server being inspected."""
        if self.is_local:
            return self
        url = self.shadow_url or os.environ.get(SHADOW_ENV)
        if url:
            return Target(url, False, self.project)
        return resolve(self.project, None)

    @property
    def database(self) -> str:
        return database_of(self.url)

    @property
    def display(self) -> str:
        return "local database" if self.is_local else redact(self.url)

    def admin_url(self) -> str:
        """Another database on the same server, to create and drop databases from."""
        return with_database(self.url, "template1" if self.database != "template1" else "postgres")

    def url_for(self, database: str) -> str:
        return with_database(self.url, database)

    @contextmanager
    def admin(self, conn: psycopg.Connection | None = None) -> Iterator[psycopg.Connection]:
        """The given admin connection, or a new one for this block."""
        if conn is not None:
            yield conn
            return
        with db.connection(self.admin_url()) as new:
            yield new

    @cached_property
    def uses_pg_cron(self) -> bool:
        """The project's migrations, seeds or YAML name pg_cron: its local databases are cloned from
        a template with pg_cron placed for a migration to create (platform.claim_pg_cron); other
        projects' never hold it, and dump as before."""
        p = self.project
        files = [*p.migrations_dir.glob("*.sql"), *p.schema_dir.rglob("*.y*ml"),
                 *(p.seeds_dir.glob("*.sql") if p.seeds_dir.is_dir() else [p.seeds_dir])]
        return any(f.is_file() and "pg_cron" in f.read_text(encoding="utf-8", errors="replace") for f in files)

    def platform_template_name(self) -> str:
        return platform.template_name(self.cluster is not None and self.cluster.pg_cron and self.uses_pg_cron)

    def platform_template(self, conn: psycopg.Connection | None = None) -> str:
        name = self.platform_template_name()
        with self.admin(conn) as c:
            if db.database_exists(c, name):
                return name
        if self.cluster is not None:
            return self.cluster.ensure_platform_template(self.uses_pg_cron)
        def fill(database: str) -> None:
            with db.connection(self.url_for(database)) as conn:
                platform.ensure(conn)
                db.compact(conn)

        self.build_template(name, "template0", fill)
        return name

    def migrated_template_name(self, migrations: list[Migration]) -> str:
        """Named by content: the platform's version and every migration's checksum."""
        key = checksum((self.platform_template_name() + "".join(m.checksum for m in migrations)).encode())[:12]
        return f"tdb_{self.project.name_hash}_{key}"

    def migrated_template(self, migrations: list[Migration], conn: psycopg.Connection | None = None) -> str:
        """A template holding the platform plus every migration: `reset` clones it instead of
        replaying SQL. Named by content, so an edited or added migration makes a new one."""
        from .runner import migrate

        base = self.platform_template(conn)
        name = self.migrated_template_name(migrations)
        prefix = f"tdb_{self.project.name_hash}_"
        with self.admin(conn) as c:
            if db.database_exists(c, name):
                return name
        def fill(database: str) -> None:
            with db.connection(self.url_for(database)) as conn:
                migrate(conn, migrations, self.project.root)

        self.build_template(name, base, fill, replaces=prefix)
        return name

    def build_template(self, name: str, base: str, fill: Callable[[str], None], replaces: str | None = None) -> None:
        """Clone `base` under a temporary name, let `fill` build on it, then publish it as the
        template `name`; nothing is left behind if `fill` fails. Published templates whose
        names start with `replaces` (older versions of this one) are dropped."""
        with db.connection(self.admin_url()) as conn:
            tmp = f"{name}_{random_suffix(6)}"
            db.create_database(conn, tmp, template=base)
        try:
            fill(tmp)
        except BaseException:
            with db.connection(self.admin_url()) as conn:
                db.drop_database(conn, tmp)
            raise
        with db.connection(self.admin_url()) as conn:
            db.publish(conn, tmp, name)
            if replaces:
                for old in db.templates_starting_with(conn, replaces):
                    if old != name:
                        db.drop_database(conn, db.spare_name(old))
                        db.drop_template(conn, old)

    @contextmanager
    def scratch(self, template: str | None = None) -> Iterator[psycopg.Connection]:
        """A connection to `template` (default: the platform only) inside a transaction that
        always rolls back: a throwaway state with no copy to make (a clone costs a fifth of a
        `diff`). Only for work that never commits on its own; a clone of the template waits
        meanwhile (create_database retries)."""
        with db.connection(self.url_for(template or self.platform_template())) as conn, conn.transaction(force_rollback=True):
            yield conn

    @contextmanager
    def shadow(self, template: str | None = None) -> Iterator[str]:
        """A throwaway database cloned from `template` (default: the platform only)."""
        name = f"tdb_shadow_{random_suffix(10)}"
        with db.connection(self.admin_url()) as conn:
            db.create_database(conn, name, template=template or self.platform_template())
        try:
            yield self.url_for(name)
        finally:
            with db.connection(self.admin_url()) as conn:
                db.drop_database(conn, name)


def random_suffix(n: int) -> str:
    return os.urandom(n).hex()[:n]


def resolve(project: Project, url: str | None, shadow_url: str | None = None) -> Target:
    """The explicit URL, or the embedded cluster (started on demand)."""
    if url:
        return Target(url, False, project, shadow_url=shadow_url)
    from .localdb import Cluster

    from .localdb import disk_full

    cluster = Cluster(project.local_dir)
    cluster.start()
    full = disk_full(cluster.data)
    if full:  # PostgreSQL would fail with "could not write init file" and the like
        raise DatabaseError(f"the local database cannot write: {full}\n  hint: free some space, then run the command again")
    return Target(cluster.url(project.database), True, project, cluster)


@contextmanager
def one_reset_at_a_time(target: Target) -> Iterator[psycopg.Connection | None]:
    """Resets of the local database wait for one another, seeds included: a reset swapping its
    database in ends the sessions of the one before, which would fail halfway through its seeds
    (two terminals, a watcher and a test run). Held on a session of its own, which the server
    ends if the command is killed, and which after_reset hands the next reset's clone to."""
    if target.cluster is None:
        yield None
        return
    with db.connection(target.admin_url()) as conn:
        db.advisory_lock(conn, f"tickets-db reset {target.database}")
        yield conn


def reset(target: Target, migrations: list[Migration], owner: str | None = None) -> str | None:
    """The target database rebuilt from the migrations. The new database is built under a
    temporary name first and swapped in atomically, so an interruption leaves the old one or
    the new one under the name (and a `tdb_reset_…` database the next reset or `start`
    clears): never a half-built or a missing database. Locally it is a clone of the migrated template; on
    another server no template is built or left: the migrations run in the new database, which
    gets `owner` (the old one's; see reset_problems). Whether a database may be reset this way
    at all, or in place, is inplace.reset's decision. Locally, returns the old database's name
    (renamed aside), which after_reset drops; elsewhere it is dropped meanwhile."""
    if target.cluster is not None:
        with db.connection(target.admin_url()) as conn:
            template = target.migrated_template(migrations, conn)
            owner = _owner(conn, target.database)
            fresh = _claim_spare(conn, template, owner)
            if fresh is None:
                fresh = f"tdb_reset_{random_suffix(10)}"
                db.create_database(conn, fresh, template=template, owner=owner)
            return _swap(conn, fresh, target.database)
    with db.connection(target.admin_url()) as conn:
        for old in db.databases_like(conn, "tdb\\_reset\\_%"):  # what an interrupted reset left, when no one uses it
            if not db.in_use(conn, old):
                db.drop_database(conn, old)
        fresh = f"tdb_reset_{random_suffix(10)}"
        # the server's own copy of the stand-in when it has one (a shadow server, the tests'),
        # else template0 (template1 holds our own admin session) and the stand-in installed
        base = platform.template_name() if db.database_exists(conn, platform.template_name()) else "template0"
        db.create_database(conn, fresh, template=base, owner=owner)
    try:
        with db.connection(target.url_for(fresh)) as work:
            from .runner import locked, migrate

            with locked(work):
                platform.ensure(work)
                migrate(work, migrations, target.project.root, directory=target.project.migrations_dir)
    except BaseException:
        with db.connection(target.admin_url()) as conn:
            db.drop_database(conn, fresh)
        raise
    with db.connection(target.admin_url()) as conn:
        _drop_meanwhile(target.admin_url(), _swap(conn, fresh, target.database))
    return None


def _owner(conn: psycopg.Connection, database: str) -> str:
    """Who the local database's next copy belongs to: the owner of the one it replaces."""
    return db.owner_of(conn, database) or str(conn.execute("select current_user").fetchone()[0])  # type: ignore[index]


def _claim_spare(conn: psycopg.Connection, template: str, owner: str) -> str | None:
    """The clone of `template` the previous reset left ready (see after_reset), renamed
    to a `tdb_reset_…` name of this reset's own, or None: no spare (the first reset of a
    template, or a spare still being made), another owner's, or one a concurrent reset took."""
    spare = db.spare_name(template)
    if db.owner_of(conn, spare) != owner:
        return None
    fresh = f"tdb_reset_{random_suffix(10)}"
    try:
        db.rename_database(conn, spare, fresh)
    except psycopg.Error:
        return None
    return fresh


def after_reset(target: Target, migrations: list[Migration], session: psycopg.Connection | None, old: str | None) -> None:
    """The local reset's server work that no one needs to wait for, sent and not waited for (the
    server finishes a command whether or not its client stays): the old database dropped (a
    drop forces a checkpoint), and the migrated template cloned as the next reset's database
    (most of a reset's server time: a clone writes the whole template through the WAL), which
    the next reset renames into place (_claim_spare). The clone is made on the reset's locked
    session, so a reset that comes meanwhile waits for it and takes it. Its name (`tdb_spare_…`)
    goes with its template when the migrations change, and `start`/`stop` drop one whose
    template is gone."""
    from psycopg import sql

    if session is None:
        return
    if old is not None:
        with db.connection(target.admin_url()) as other:
            db.send_and_leave(other, sql.SQL("drop database if exists {}").format(sql.Identifier(old)))
    template = target.migrated_template_name(migrations)
    spare = db.spare_name(template)
    if db.database_exists(session, spare) or not db.database_exists(session, template):
        return
    db.send_and_leave(session, sql.SQL("create database {} template {} owner {}").format(
        sql.Identifier(spare), sql.Identifier(template), sql.Identifier(_owner(session, target.database))))


def _swap(conn: psycopg.Connection, fresh: str, name: str) -> str:
    """`fresh` takes the place of `name` in one transaction (ALTER DATABASE … RENAME may share
    one; DROP may not): at every moment the name holds the old database or the new one. Returns
    the name the old one was renamed to, for the caller to drop."""
    import time

    aside = f"tdb_reset_{random_suffix(10)}"
    for attempt in range(100):
        # a rename, like a drop, needs the database to itself (autovacuum is ended by PostgreSQL)
        conn.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = %s and pid <> pg_backend_pid() and usename is not null", (name,))
        try:
            with conn.transaction():
                if db.database_exists(conn, name):
                    db.rename_database(conn, name, aside)
                db.rename_database(conn, fresh, name)
            break
        except psycopg.errors.ObjectInUse:
            if attempt == 99:
                db.drop_database(conn, fresh)
                raise DatabaseError(f"cannot reset {name}: it stays in use (a client reconnects at once?)") from None
            time.sleep(0.05)
        except psycopg.Error as e:
            db.drop_database(conn, fresh)
            raise DatabaseError(f"cannot reset {name}: {e.diag.message_primary or e}") from None
    return aside


def _drop_meanwhile(admin_url: str, name: str) -> None:
    """The old database, renamed aside, dropped on a connection of its own while the command
    goes on (the seeds, the summary): a drop costs about as much as the clone. The thread is
    not a daemon, so the process ends only after it; a drop that fails leaves a `tdb_reset_…`
    database the next reset or `start` sweeps."""
    import threading

    def drop() -> None:
        try:
            with db.connection(admin_url) as other:
                db.drop_database(other, name)
        except Exception:  # noqa: BLE001 - swept later; never fails the reset that succeeded
            pass

    threading.Thread(target=drop, name=f"drop {name}").start()


def reset_problems(conn: psycopg.Connection, database: str) -> tuple[str, list[str]]:
    """What a drop-and-re-create reset of `database` needs and this role lacks: creating
    databases, dropping this one and giving the new one the same owner, ending the sessions
    connected to it. Returns the owner the new database gets (the old one's) and the problems."""
    me, superuser, createdb = conn.execute("select current_user, rolsuper, rolcreatedb from pg_roles where rolname = current_user").fetchone()  # type: ignore[misc]
    owner = db.owner_of(conn, database) or me
    problems = []
    if not (superuser or createdb):
        problems.append(f"role {me} may not create databases (no CREATEDB)")
    if not superuser and not conn.execute("select pg_has_role(current_user, %s, 'usage')", (owner,)).fetchone()[0]:  # type: ignore[index]
        problems.append(f"role {me} is not the owner of {database} (owner: {owner}) nor a member of that role")
    others = conn.execute(
        "select count(*) from pg_stat_activity where datname = %s and pid <> pg_backend_pid() and usename is not null and not pg_has_role(current_user, usesysid, 'member')",
        (database,)).fetchone()[0]  # type: ignore[index]
    if others and not superuser and not conn.execute("select pg_has_role(current_user, 'pg_signal_backend', 'member')").fetchone()[0]:  # type: ignore[index]
        problems.append(f"{others} session(s) of other roles are connected to {database}, and role {me} may not end them")
    return str(owner), problems
