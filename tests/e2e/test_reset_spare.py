"""`reset` of the local database takes the clone its previous run left ready (target.
after_reset): what a user checks is that this is invisible — the database is exactly what
a reset without one builds, nothing of the old one survives, a change of the migrations never
gets an old clone, concurrent resets all end whole, and the clones do not pile up."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tickets_db import db
from tickets_db.localdb import Cluster

from ..conftest import ROOT, tool_env
from ..pgdump import dump_difference, schema_dump


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("spare")
    for name in ("schema", "migrations", "seeds"):
        shutil.copytree(ROOT / name, root / name)
    (root / "tickets-db.toml").write_text('local_dir = ".local"\n')
    yield root
    tool(root, "stop")
    Cluster(root / ".local").destroy()


def tool(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "tickets_db", "--project-dir", str(project), *args],
                            capture_output=True, text=True, env=tool_env(), timeout=300)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def reset(project: Path) -> None:
    result = tool(project, "reset")
    assert result.returncode == 0, result.stderr


def cluster(project: Path) -> Cluster:
    return Cluster(project / ".local")


def settled(project: Path) -> dict[str, int]:
    """The ready clones (name -> oid), once the server has finished making them."""
    with db.connection(cluster(project).superuser_url) as conn:
        deadline = time.monotonic() + 60
        while conn.execute("select count(*) from pg_stat_activity where query ilike 'create database%' and state <> 'idle' and pid <> pg_backend_pid()").fetchone()[0]:
            assert time.monotonic() < deadline, "a clone is still being made after a minute"
            time.sleep(0.05)
        return {name: oid for name, oid in conn.execute("select datname, oid::int from pg_database where starts_with(datname, %s)", (db.SPARE_PREFIX,))}


def app_oid(project: Path) -> int:
    with db.connection(cluster(project).superuser_url) as conn:
        return conn.execute("select oid::int from pg_database where datname = 'postgres'").fetchone()[0]


@pytest.fixture(scope="module")
def cold(project):
    """A reset with no clone ready, and what it builds: the reference."""
    reset(project)
    url = cluster(project).url("postgres")
    with db.connection(url) as conn:
        accounts = conn.execute("select count(*) from public.accounts").fetchone()[0]
    return schema_dump(url), accounts


def test_the_next_reset_takes_the_clone_and_builds_the_same_database(project, cold):
    dump, accounts = cold
    ready = settled(project)
    assert len(ready) == 1  # one clone, of the migrated template the reset used
    (spare, spare_oid), = ready.items()
    with db.connection(cluster(project).url("postgres")) as conn:  # the user's own work, which a reset discards
        conn.execute("create table public.scratch (id int)")
        conn.execute("delete from public.accounts")
    reset(project)
    assert app_oid(project) == spare_oid  # the clone took the database's place ...
    url = cluster(project).url("postgres")
    assert schema_dump(url) == dump, dump_difference(schema_dump(url), dump)  # ... and holds what a cold reset builds
    with db.connection(url) as conn:
        assert conn.execute("select count(*) from public.accounts").fetchone()[0] == accounts  # seeded again
    again = settled(project)
    assert list(again) == [spare] and again[spare] != spare_oid  # a new one is ready for the next


def test_resets_at_once_all_end_whole(project, cold):
    """Five at once (two terminals, a watcher, a test run): without waiting for one another, a
    reset swapping its database in ended the session of one still loading its seeds."""
    dump, _ = cold
    settled(project)
    procs = [subprocess.Popen([sys.executable, "-m", "tickets_db", "--project-dir", str(project), "reset"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=tool_env()) for _ in range(5)]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0 and "Traceback" not in err, err
    assert schema_dump(cluster(project).url("postgres")) == dump
    assert len(settled(project)) == 1  # one ready clone, however many resets raced to make it
    with db.connection(cluster(project).superuser_url) as conn:
        deadline = time.monotonic() + 30  # the old databases are dropped once their resets end
        while db.databases_like(conn, "tdb\\_reset\\_%"):
            assert time.monotonic() < deadline
            time.sleep(0.05)


def test_start_keeps_a_ready_clone_and_drops_one_whose_template_is_gone(project, cold):
    ready = settled(project)
    assert ready
    orphan = db.spare_name("tdb_00000000_000000000000")
    with db.connection(cluster(project).superuser_url) as conn:
        db.create_database(conn, orphan, template="template0")
    assert tool(project, "stop").returncode == 0
    assert tool(project, "start").returncode == 0
    assert settled(project) == ready


def test_a_change_of_the_migrations_never_gets_an_old_clone(project, cold):
    settled(project)
    (project / "migrations" / "29990101000000_late.sql").write_text("create table public.late_addition (id int primary key);\n")
    assert tool(project, "hash").returncode == 0
    try:
        reset(project)
        with db.connection(cluster(project).url("postgres")) as conn:
            assert conn.execute("select to_regclass('public.late_addition')").fetchone()[0] is not None
        ready = settled(project)
        assert len(ready) == 1  # the old template's clone went with its template
        with db.connection(cluster(project).superuser_url) as conn:
            (name,) = ready
            assert db.database_exists(conn, name.removeprefix(db.SPARE_PREFIX))
    finally:
        (project / "migrations" / "29990101000000_late.sql").unlink()
        assert tool(project, "hash").returncode == 0
    reset(project)
    with db.connection(cluster(project).url("postgres")) as conn:
        assert conn.execute("select to_regclass('public.late_addition')").fetchone()[0] is None


def test_a_database_with_an_odd_name_takes_its_clone_too(tmp_path):
    """The clone, the lock and the swap name the database through identifiers and parameters."""
    root = tmp_path / "odd"
    for name in ("schema", "migrations", "seeds"):
        shutil.copytree(ROOT / name, root / name)
    odd = 'Odd "db"; ü'
    (root / "tickets-db.toml").write_text('local_dir = ".local"\ndatabase = "Odd \\"db\\"; ü"\n')
    try:
        reset(root)
        (spare, spare_oid), = settled(root).items()
        reset(root)
        with db.connection(cluster(root).superuser_url) as conn:
            assert conn.execute("select oid::int from pg_database where datname = %s", (odd,)).fetchone()[0] == spare_oid
            assert conn.execute("select count(*) from pg_database where starts_with(datname, 'Odd')").fetchone()[0] == 1
    finally:
        tool(root, "stop")
        Cluster(root / ".local").destroy()
