"""The database a command works on (the embedded cluster or a URL), and the databases built
beside it: the platform template, per-version migrated templates that make `reset` a clone,
and throwaway shadow databases for `new` and `check`."""
from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterator

import psycopg

from . import db, platform
from .config import Project, database_of, redact, with_database
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

    def platform_template(self, conn: psycopg.Connection | None = None) -> str:
        name = platform.template_name()
        with self.admin(conn) as c:
            if db.database_exists(c, name):
                return name
        if self.cluster is not None:
            return self.cluster.ensure_platform_template()
        def fill(database: str) -> None:
            with db.connection(self.url_for(database)) as conn:
                platform.ensure(conn)

        self.build_template(name, "template0", fill)
        return name

    def migrated_template_name(self, migrations: list[Migration]) -> str:
        """Named by content: the platform's version and every migration's checksum."""
        key = checksum((platform.template_name() + "".join(m.checksum for m in migrations)).encode())[:12]
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
            publish(conn, tmp, name)
            if replaces:
                for old in db.templates_starting_with(conn, replaces):
                    if old != name:
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


def publish(conn: psycopg.Connection, tmp: str, name: str) -> None:
    """Rename into place and mark as template; a concurrent builder that won the race wins."""
    from psycopg import sql

    try:
        conn.execute(sql.SQL("alter database {} rename to {}").format(sql.Identifier(tmp), sql.Identifier(name)))
    except psycopg.errors.DuplicateDatabase:
        db.drop_database(conn, tmp)
        return
    db.mark_template(conn, name)


def resolve(project: Project, url: str | None, shadow_url: str | None = None) -> Target:
    """The explicit URL, or the embedded cluster (started on demand)."""
    if url:
        return Target(url, False, project, shadow_url=shadow_url)
    from .localdb import Cluster

    cluster = Cluster(project.local_dir)
    cluster.start()
    return Target(cluster.url(project.database), True, project, cluster)


def reset(target: Target, migrations: list[Migration]) -> None:
    """Drop the target database and recreate it as a clone of the migrated template."""
    with db.connection(target.admin_url()) as conn:
        template = target.migrated_template(migrations, conn)
        db.drop_database(conn, target.database)
        owner = conn.execute("select current_user").fetchone()[0]  # type: ignore[index]
        db.create_database(conn, target.database, template=template, owner=owner)


