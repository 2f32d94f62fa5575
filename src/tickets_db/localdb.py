"""The embedded local PostgreSQL: system binaries, a data directory inside the project, a free
port on 127.0.0.1. initdb refuses to run as root, so as root the server runs as the
unprivileged `postgres` user. The cluster's superuser is `supabase_admin` (as on Supabase); the
tool itself works as the non-superuser `postgres` role."""
from __future__ import annotations

import fcntl
import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import quote

from . import db, platform
from .errors import DatabaseError
from .textfile import write_atomic

SUPERUSER = "supabase_admin"
APP_ROLE = "postgres"


def find_bindir() -> Path:
    candidates: list[str] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            candidates.append(subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True).stdout.strip())
        except (OSError, subprocess.CalledProcessError):
            pass
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(str(Path(initdb).parent))
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]) if p.split("/")[-2].isdigit() else 0, reverse=True)
    for c in candidates:
        if (Path(c) / "initdb").exists() and (Path(c) / "pg_ctl").exists():
            return Path(c)
    raise DatabaseError("PostgreSQL server binaries not found (looked at pg_config --bindir, PATH, /usr/lib/postgresql/*/bin)\n  hint: apt-get install postgresql")


def pg_cron_installed(bindir: Path | None = None) -> bool:
    """PostgreSQL's pg_cron package is there for these server binaries (the local server loads it)."""
    return ((bindir or find_bindir()).parent / "lib" / "pg_cron.so").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _port_free(port: int) -> bool:
    """Free for a new listener as PostgreSQL binds one: with SO_REUSEADDR, so connections of a
    stopped server still in TIME_WAIT do not count (without it the port moved after `stop`
    whenever a client had been connected, and every URL printed before went stale)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


MIN_FREE_BYTES = 48 * 1024 * 1024  # below this PostgreSQL fails in ways that do not say "disk full"


def disk_full(path: Path) -> str | None:
    """Why `path`'s disk cannot take a database's writes, or None."""
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        free = shutil.disk_usage(probe).free
    except OSError:
        return None
    if free >= MIN_FREE_BYTES:
        return None
    return f"the disk holding {path} is full ({free // (1024 * 1024)} MB free)"


# Throwaway databases a command builds and drops (shadows, pgTAP files, a reset's new copy,
# templates being built): a process killed meanwhile leaves them behind. Published templates
# (the platform's, the migrated ones) are caches and stay.
ORPHAN_PATTERNS = (r"tdb\_shadow\_%", r"tdb\_test\_%", r"tdb\_reset\_%", r"tdb\_spare\_%")
ORPHAN_BUILDS = r"^tdb_.*_[0-9a-f]{6}$"  # a template being built: `<name>_<6 hex>`, not yet published


@dataclass
class Cluster:
    """One local cluster living in `directory` (data/, state.json, server.log)."""

    directory: Path
    fast: bool = False  # fsync off: for throwaway test clusters only

    def _state(self) -> dict[str, Any]:
        found: dict[str, Any] = json.loads(self.state_file.read_text()) if self.state_file.exists() else {}
        return found

    @property
    def data(self) -> Path:
        return Path(str(self._state().get("data") or self.directory / "data"))

    @property
    def log(self) -> Path:
        return self.data.parent / "server.log"

    @property
    def state_file(self) -> Path:
        return self.directory / "state.json"

    @property
    def port(self) -> int:
        return int(self._state()["port"])

    def url(self, database: str = "postgres", user: str = APP_ROLE) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{quote(database, safe='')}"  # libpq decodes %XX

    @property
    def superuser_url(self) -> str:
        return self.url("template1", SUPERUSER)

    def _run(self, args: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        result: subprocess.CompletedProcess[str]
        if os.geteuid() == 0:  # initdb refuses root: the server runs as postgres
            user = pwd.getpwnam("postgres")
            result = subprocess.run(args, capture_output=True, text=True, cwd="/", user=user.pw_uid, group=user.pw_gid, extra_groups=[])
        else:
            result = subprocess.run(args, capture_output=True, text=True, cwd="/")
        if check and result.returncode != 0:
            raise DatabaseError(f"{Path(args[0]).name} failed: {(result.stderr or result.stdout).strip()[-800:]}")
        return result

    @contextmanager
    def _lock(self) -> Iterator[None]:
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / ".lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def is_running(self) -> bool:
        """What `pg_ctl status` checks (the pid file names a live postmaster), without spawning it:
        every command asks this, so it must cost microseconds, not a process."""
        try:
            pid = int((self.data / "postmaster.pid").read_text().split("\n", 1)[0])
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, ValueError, IndexError):
            return False
        return state != "Z"

    def start(self) -> bool:
        """Start if needed (initialising on first use); returns whether it started anything.
        The port is chosen once and kept. A data directory that was initialised and is now
        gone is an error, not a new empty cluster."""
        with self._lock():
            if self.is_running():
                return False
            bindir = find_bindir()
            state = self._state()
            fresh = not (self.data / "PG_VERSION").exists()
            if fresh and "port" in state:
                raise DatabaseError(
                    f"the local database's data directory {self.data} is gone (deleted or moved?)"
                    f"\n  hint: `tickets-db stop` ends a server still running from it; then remove {self.directory / 'state.json'} and `tickets-db start` creates a new, empty local database (`reset` fills it)"
                )
            full = disk_full(self.data)
            if full:
                raise DatabaseError(f"cannot start the local database: {full}\n  hint: free some space, then run the command again")
            if fresh:
                self._init(bindir)
                state = self._state()
            port = int(state["port"]) if "port" in state else _free_port()
            if not _port_free(port):
                raise DatabaseError(
                    f"port {port} of the local database is taken by another program"
                    f"\n  hint: stop that program, or remove `port` from {self.state_file} to let tickets-db choose a new one (URLs printed before then change)"
                )
            pg_cron = pg_cron_installed(bindir)
            write_atomic(self.state_file, json.dumps(state | {"port": port, "pg_cron": pg_cron}))
            options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200"
            if self.fast:
                options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            if pg_cron:  # as on hosted Supabase, where a project may create it (see platform.PG_CRON_DATABASE)
                options += f" -c shared_preload_libraries=pg_cron -c cron.database_name={platform.PG_CRON_DATABASE}"
            result = self._run([str(bindir / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(self.data), "-l", str(self.log), "-o", options], check=False)
            if result.returncode != 0:
                raise DatabaseError(f"the local database did not start: {self._why_down()}\n  hint: the whole log is {self.log}")
            write_atomic(self.state_file, json.dumps(self._state() | {"pid": self._postmaster_pid()}))
            if pg_cron:
                with db.connection(self.superuser_url) as conn:
                    if not db.database_exists(conn, platform.PG_CRON_DATABASE):
                        db.create_database(conn, platform.PG_CRON_DATABASE, template="template0")
            if fresh:
                self._bootstrap()
            self.sweep()
            return True

    @property
    def pg_cron(self) -> bool:
        """Whether the running server loads pg_cron (the package was there when it started)."""
        return bool(self._state().get("pg_cron"))

    def _postmaster_pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None

    def _why_down(self) -> str:
        """The server log's last FATAL or PANIC line, and whether the disk is full."""
        try:
            lines = self.log.read_text(errors="replace").splitlines()
        except OSError:
            lines = []
        fatal = next((line.split(":  ", 1)[-1] for line in reversed(lines[-50:]) if "FATAL:" in line or "PANIC:" in line), "pg_ctl could not start the server")
        full = disk_full(self.data)
        return fatal + (f" ({full})" if full else "")

    def sweep(self) -> list[str]:
        """Drop the throwaway databases killed commands left behind, and clones kept ready for a
        reset whose template is gone. Only called when no command can be using one: right after
        this server started, and before it stops."""
        with db.connection(self.superuser_url) as conn:
            templates = {r[0] for r in conn.execute("select datname from pg_database where datistemplate")}
            names = [r[0] for r in conn.execute("select datname from pg_database where not datistemplate and (datname like any(%s) or datname ~ %s)", (list(ORPHAN_PATTERNS), ORPHAN_BUILDS))
                     if not (r[0].startswith(db.SPARE_PREFIX) and r[0].removeprefix(db.SPARE_PREFIX) in templates)]
            for name in names:
                db.drop_database(conn, name)
        return names

    def _init(self, bindir: Path) -> None:
        data = self.directory / "data"
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.directory, user.pw_uid, user.pw_gid)
            # The postgres user must reach the data directory; a project under a private
            # folder (such as /root) keeps its data in postgres's home instead.
            if self._run(["/usr/bin/test", "-w", str(self.directory)], check=False).returncode != 0:
                import hashlib

                tag = hashlib.sha1(str(self.directory.resolve()).encode()).hexdigest()[:12]
                home = Path(user.pw_dir) / "tickets-db" / tag
                home.mkdir(parents=True, exist_ok=True)
                for d in (home.parent, home):
                    os.chown(d, user.pw_uid, user.pw_gid)
                data = home / "data"
        write_atomic(self.state_file, json.dumps(self._state() | {"data": str(data)}))
        self._run([str(bindir / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"])

    def _bootstrap(self) -> None:
        """Roles, the platform template, and the app database owned by `postgres`."""
        with db.connection(self.superuser_url) as conn:
            platform.install_roles(conn)
        self.ensure_platform_template()
        with db.connection(self.superuser_url) as conn:
            db.drop_database(conn, "postgres")
            db.create_database(conn, "postgres", template=platform.template_name(), owner=APP_ROLE)

    def ensure_platform_template(self, pg_cron: bool = False) -> str:
        """Built as the superuser, who alone may create the roles the stand-in needs (and pg_cron,
        placed for a project whose migrations create it when this server loads it)."""
        name = platform.template_name(pg_cron and self.pg_cron)
        with db.connection(self.superuser_url) as conn:
            if db.database_exists(conn, name):
                return name
            plain = platform.template_name()
            if not db.database_exists(conn, plain):
                platform.install_roles(conn)
                db.create_database(conn, plain, template="template0", owner=APP_ROLE)
                with db.connection(self.url(plain, SUPERUSER)) as work:
                    platform.ensure(work)
                    db.compact(work)
                db.mark_template(conn, plain)
            if name != plain:
                # one build at a time: they share pg_cron's exempt name (a killed one's is dropped)
                db.advisory_lock(conn, "tickets-db pg_cron template")
                if not db.database_exists(conn, name):
                    db.drop_database(conn, platform.PG_CRON_BUILD)
                    db.create_database(conn, platform.PG_CRON_BUILD, template=plain, owner=APP_ROLE)
                    with db.connection(self.url(platform.PG_CRON_BUILD, SUPERUSER)) as work:
                        work.execute(platform.pg_cron_sql())
                        db.compact(work)
                    db.publish(conn, platform.PG_CRON_BUILD, name)
        return name

    def stop(self) -> bool:
        """Stop the server (after sweeping what killed commands left behind). A server whose data
        directory was deleted under it is ended by the pid it had when it started."""
        with self._lock():
            if not self.is_running():
                return self._stop_orphaned_server()
            try:
                self.sweep()
            except DatabaseError:
                pass  # a server that cannot be reached is still stopped
            self._run([str(find_bindir() / "pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(self.data)])
            return True

    def _stop_orphaned_server(self) -> bool:
        import signal
        import time

        pid = self._state().get("pid")
        if not pid or (self.data / "PG_VERSION").exists():
            return False
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return False
        if not cmdline or not cmdline[0].endswith(b"postgres") or str(self.data).encode() not in cmdline:
            return False  # the pid now belongs to something else
        os.kill(int(pid), signal.SIGINT)  # fast shutdown
        deadline = time.monotonic() + 30
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            try:
                if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                    break
            except OSError:
                break
            time.sleep(0.05)
        return True

    def destroy(self) -> None:
        self.stop()
        data = self.data
        shutil.rmtree(self.directory, ignore_errors=True)
        shutil.rmtree(data.parent if data.parent != self.directory else data, ignore_errors=True)
