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

from . import db, platform
from .errors import DatabaseError

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


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
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

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
        """Start if needed (initialising on first use); returns whether it started anything."""
        with self._lock():
            if self.is_running():
                return False
            bindir = find_bindir()
            fresh = not (self.data / "PG_VERSION").exists()
            if fresh:
                self._init(bindir)
            state = self._state()
            port = int(state["port"]) if "port" in state and _port_free(int(state["port"])) else _free_port()
            self.state_file.write_text(json.dumps(state | {"port": port}))
            options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200"
            if self.fast:
                options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            self._run([str(bindir / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(self.data), "-l", str(self.log), "-o", options])
            if fresh:
                self._bootstrap()
            return True

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
        self.state_file.write_text(json.dumps(self._state() | {"data": str(data)}))
        self._run([str(bindir / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"])

    def _bootstrap(self) -> None:
        """Roles, the platform template, and the app database owned by `postgres`."""
        with db.connection(self.superuser_url) as conn:
            platform.install_roles(conn)
        self.ensure_platform_template()
        with db.connection(self.superuser_url) as conn:
            db.drop_database(conn, "postgres")
            db.create_database(conn, "postgres", template=platform.template_name(), owner=APP_ROLE)

    def ensure_platform_template(self) -> str:
        """Built as the superuser, who alone may create the roles the stand-in needs."""
        name = platform.template_name()
        with db.connection(self.superuser_url) as conn:
            if db.database_exists(conn, name):
                return name
            platform.install_roles(conn)
            db.create_database(conn, name, template="template0", owner=APP_ROLE)
        with db.connection(self.url(name, SUPERUSER)) as conn:
            platform.ensure(conn)
        with db.connection(self.superuser_url) as conn:
            db.mark_template(conn, name)
        return name

    def stop(self) -> bool:
        with self._lock():
            if not self.is_running():
                return False
            self._run([str(find_bindir() / "pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(self.data)])
            return True

    def destroy(self) -> None:
        self.stop()
        data = self.data
        shutil.rmtree(self.directory, ignore_errors=True)
        shutil.rmtree(data.parent if data.parent != self.directory else data, ignore_errors=True)
