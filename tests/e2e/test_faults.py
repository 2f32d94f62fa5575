"""Processes killed with SIGKILL at random points, round after round, as a laptop's lid closes or
CI cancels a job: the database always holds a whole number of migrations (exactly what that
prefix of the migrations builds), the command run again works, the project's files are whole,
and no throwaway database survives the next start of the local database."""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tickets_db import db, platform
from tickets_db.localdb import Cluster
from tickets_db.migrations import check_sum, list_migrations, parse
from tickets_db.runner import history, migrate

from ..conftest import ROOT, clone, tool_env
from ..pgdump import schema_dump

ROUNDS = int(os.environ.get("TICKETS_DB_FAULT_ROUNDS", "6"))


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """The course project with its own local database (kept for the module's rounds)."""
    root = tmp_path_factory.mktemp("faults")
    for name in ("schema", "migrations", "seeds"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copytree(ROOT / "tests" / "database", root / "tests" / "database")
    (root / "tickets-db.toml").write_text('typegen_output = "models.py"\n')
    yield root
    subprocess.run([sys.executable, "-m", "tickets_db", "--project-dir", str(root), "stop"], capture_output=True, env=tool_env())
    Cluster(root / ".tickets-db").destroy()


@pytest.fixture(scope="module")
def whole_states(cluster, project) -> list[list[list[str]]]:
    """What each prefix of the migrations builds (pg_dump --schema-only): the only states a
    database may be found in. A migration's autocommit segment (enum values it uses at once)
    commits before the rest, by design, and is written to run again (`if not exists`): so a
    prefix plus the next migration's autocommit segment is a state too."""
    migrations = list_migrations(project / "migrations")
    states = []
    for n in range(len(migrations) + 1):
        found = []
        with clone(cluster, cluster.ensure_platform_template()) as url:
            with db.connection(url) as conn:
                migrate(conn, migrations[:n])
            found.append(schema_dump(url))
            if n < len(migrations) and parse(migrations[n].path).autocommit:
                with db.connection(url) as conn:
                    for st in parse(migrations[n].path).autocommit:
                        conn.execute(st.text)
                found.append(schema_dump(url))
        states.append(found)
    return states


def cli(project: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tickets_db", "--project-dir", str(project), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=tool_env())


def finish(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "tickets_db", "--project-dir", str(project), *args], capture_output=True, text=True, env=tool_env(), timeout=300)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def kill_at_random(project: Path, args: tuple[str, ...], rng: random.Random, longest: float) -> bool:
    """Whether the kill found the command still at work."""
    proc = cli(project, *args)
    time.sleep(rng.uniform(0.1, longest))
    proc.send_signal(signal.SIGKILL)
    return proc.wait(timeout=30) == -signal.SIGKILL


def local(project: Path) -> Cluster:
    return Cluster(project / ".tickets-db")


def assert_whole(project: Path, whole_states: list[list[list[str]]]) -> None:
    """The local database (when it exists) holds exactly what some prefix of the migrations
    builds, and its history names that prefix."""
    cluster = local(project)
    url = cluster.url("postgres")
    with db.connection(cluster.superuser_url) as conn:
        assert db.database_exists(conn, "postgres")  # an interrupted reset left none, once
        # the server may still be finishing the killed client's transaction: wait for it
        deadline = time.monotonic() + 30
        while conn.execute("select count(*) from pg_stat_activity where datname = 'postgres' and state <> 'idle' and pid <> pg_backend_pid()").fetchone()[0]:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    with db.connection(url) as conn:
        applied = [a.version for a in history(conn)]
    versions = [m.version for m in list_migrations(project / "migrations")]
    assert applied == versions[: len(applied)]
    assert schema_dump(url) in whole_states[len(applied)]


def assert_no_throwaway_after_start(project: Path) -> None:
    assert finish(project, "stop").returncode == 0
    assert finish(project, "start").returncode == 0
    with db.connection(local(project).superuser_url) as conn:
        left = [r[0] for r in conn.execute("select datname from pg_database where starts_with(datname, 'tdb') and not datistemplate and datname <> %s", (platform.PG_CRON_DATABASE,))]
        templates = {r[0] for r in conn.execute("select datname from pg_database where datistemplate")}
    # the pg_cron scheduler's database is the server's, not a command's; a clone kept ready for
    # the next reset is whole (made in one transaction) and kept while its template is current
    assert [n for n in left if n.removeprefix(db.SPARE_PREFIX) not in templates] == []


@pytest.mark.parametrize("command", ["migrate", "reset", "test", "new"])
def test_killed_at_random_points(project, whole_states, command):
    rng = random.Random(f"{command}-{ROUNDS}")
    assert finish(project, "start").returncode == 0
    support = project / "schema" / "tickets" / "support.yaml"
    original = support.read_text()

    def prepare() -> tuple[str, ...]:
        if command == "migrate":  # from nothing: a fresh database to migrate
            with db.connection(local(project).superuser_url) as conn:
                db.drop_database(conn, "postgres")
                db.create_database(conn, "postgres", template=local(project).ensure_platform_template(), owner="postgres")
        if command == "new":  # a column added to the YAML: the migration to write
            for written in (project / "migrations").glob("*_sla.sql"):
                written.unlink()
            finish(project, "hash")
            support.write_text(original.replace("      closed_at: timestamptz\n", "      closed_at: timestamptz\n      sla_hours: integer\n"))
        return (command, "sla") if command == "new" else (command,)

    assert finish(project, *prepare()).returncode == 0  # the first run builds what later ones reuse (templates, a reset's ready clone)
    started = time.monotonic()  # how long the command takes here, to kill it within that
    assert finish(project, *prepare()).returncode == 0
    took = time.monotonic() - started
    interrupted = 0
    for _ in range(ROUNDS):
        args = prepare()
        interrupted += kill_at_random(project, args, rng, took * 0.9)
        if command == "new":  # the migration and the sum were written both, or neither
            assert check_sum(project / "migrations") == []
            for written in (project / "migrations").glob("*_sla.sql"):
                assert written.read_text().rstrip().endswith("add column sla_hours integer;")
        assert_whole(project, whole_states)
        again = finish(project, *args)
        assert again.returncode == 0, again.stderr
        assert_whole(project, whole_states)
        assert_no_throwaway_after_start(project)
    support.write_text(original)
    assert interrupted >= ROUNDS // 2  # the kills landed while the command worked, mostly
