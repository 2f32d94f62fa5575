"""Online migrations under load: a table of 1,000,000 rows, a writer process inserting and
updating it without pause, and each kind of change applied twice to a copy of it — as `new`
writes it plainly and as it writes it online. The writer's longest wait is measured both ways,
so the test cannot pass vacuously: the plain change must block it, the online one never longer
than lock_timeout. A concurrent index build killed halfway is cleaned up and finished by the
next `migrate`."""
from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tickets_db import db

from .test_cli import count, run

ROWS = 1_000_000
LOCK_TIMEOUT_MS = 500
WRITER = Path(__file__).resolve().parents[2] / "bench" / "writer.py"  # shared with bench/online.py
BEFORE = {"id": "{type: bigint, primary_key: true}", "name": "text", "owner_id": "bigint", "note": "text"}
CHANGES = {
    "index": ({}, "    indexes:\n      items_name: {columns: [name]}\n"),
    "foreign_key": ({"owner_id": "{type: bigint, references: app.owners}"}, ""),
    "check": ({}, "    constraints:\n      note_short: {check: \"length(note) < 200\"}\n"),
    "not_null": ({"name": "{type: text, not_null: true}"}, ""),
    "column_with_default": ({"token": "{type: uuid, not_null: true, default: gen_random_uuid()}"}, ""),
    "unique": ({}, "    constraints:\n      items_name_key: {unique: [name]}\n"),
}
# a check (added `not valid` in the first segment) and an index (built in the second)
INDEX_AND_CHECK = ({}, CHANGES["check"][1] + CHANGES["index"][1])


def schema(columns: dict[str, str], extra: str = "", online: bool = False) -> str:
    lines = ["schemas:", "  public: {external: true}", "  app: {}", "tables:", "  app.owners:", "    columns:", "      id: {type: bigint, primary_key: true}",
             "  app.items:"] + (["    online: true"] if online else []) + ["    columns:"] + [f"      {k}: {v}" for k, v in columns.items()]
    return "\n".join(lines) + "\n" + extra


def project(folder: Path, text: str) -> Path:
    (folder / "schema").mkdir(parents=True, exist_ok=True)
    (folder / "schema" / "app.yaml").write_text(text)
    (folder / "tickets-db.toml").write_text(f'typegen_output = "models.py"\nlock_timeout = "{LOCK_TIMEOUT_MS}ms"\n')
    return folder


@pytest.fixture(scope="module")
def big(cluster, tmp_path_factory):
    """A template database: the stand-in, the table as it was, 1,000,000 rows; and its project."""
    base = project(tmp_path_factory.mktemp("online") / "base", schema(BEFORE))
    # `new` proves on the test server (a --db-url), never on a local cluster it would start
    assert run("--project-dir", str(base), "--db-url", cluster.url("postgres"), "new", "init").returncode == 0
    name = "online_big"
    with db.connection(cluster.superuser_url) as su:
        db.drop_template(su, name) if db.database_exists(su, name) else None
        db.create_database(su, name, template=cluster.ensure_platform_template(), owner="postgres")
    assert run("--project-dir", str(base), "--db-url", cluster.url(name), "migrate").returncode == 0
    with db.connection(cluster.url(name)) as conn:
        conn.execute("insert into app.owners select g from generate_series(1, 10) g")
        conn.execute(f"insert into app.items select g, 'item ' || g, 1 + g % 10, repeat('n', 100) from generate_series(1, {ROWS}) g")
        conn.execute("vacuum analyze app.items")
    with db.connection(cluster.superuser_url) as su:
        db.mark_template(su, name)
    yield name, base
    with db.connection(cluster.superuser_url) as su:
        db.drop_template(su, name)


def change_project(tmp_path: Path, base: Path, change: str, online: bool, server: str) -> Path:
    """The base project with the change in its YAML and the migration `new` writes for it."""
    folder = tmp_path / ("online" if online else "plain")
    shutil.copytree(base, folder)
    columns, extra = CHANGES[change] if change in CHANGES else INDEX_AND_CHECK
    (folder / "schema" / "app.yaml").write_text(schema({**BEFORE, **columns}, extra, online))
    made = run("--project-dir", str(folder), "--db-url", server, "new", change)
    assert made.returncode == 0, made.stdout + made.stderr
    return folder


def under_load(url: str, folder: Path, tmp_path: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    """`migrate` while the writer writes: the writer's longest wait (ms), and migrate's result."""
    stop = tmp_path / f"stop-{time.monotonic_ns()}"
    writer = subprocess.Popen([sys.executable, str(WRITER), url, str(stop), "2000000"], stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(0.5)  # the writer at its pace before the change starts
        migrated = run("--project-dir", str(folder), "--db-url", url, "migrate")
        time.sleep(0.2)
    finally:
        stop.touch()
        out, _ = writer.communicate(timeout=60)
    return json.loads(out)["longest_ms"], migrated


@pytest.mark.parametrize("change", list(CHANGES))
def test_an_online_change_never_blocks_the_writer_longer_than_lock_timeout(change, big, cluster, scratch, tmp_path):
    template, base = big
    stalls = {}
    for online in (False, True):
        folder = change_project(tmp_path, base, change, online, cluster.url("postgres"))
        text = sorted((folder / "migrations").glob(f"*_{change}.sql"))[-1].read_text()
        assert ("-- tickets-db: online" in text) == online
        url = scratch()
        with db.connection(cluster.url("template1")) as conn:
            db.create_database(conn, url.rsplit("/", 1)[1], template=template)
        stalls[online], migrated = under_load(url, folder, tmp_path)
        assert migrated.returncode == 0, migrated.stdout + migrated.stderr
        if change not in ("column_with_default", "unique"):  # `migrate` warns of the plain form (lint's database rules)
            assert ("warning" in migrated.stderr and "1,000,000 rows" in migrated.stderr) == (not online), migrated.stderr
        assert run("--project-dir", str(folder), "--db-url", url, "diff").returncode == 0  # the YAML is reached either way
    print(f"{change}: the writer's longest wait {stalls[False]:.0f} ms plain, {stalls[True]:.0f} ms online")
    assert stalls[True] < LOCK_TIMEOUT_MS, stalls
    assert stalls[False] > 4 * stalls[True], stalls  # the plain form does block it: the measurement can tell


def test_a_killed_concurrent_index_build_is_cleaned_up_and_finished(big, cluster, scratch, tmp_path):
    template, base = big
    folder = change_project(tmp_path, base, "index_and_check", True, cluster.url("postgres"))
    url = scratch()
    with db.connection(cluster.url("template1")) as conn:
        db.create_database(conn, url.rsplit("/", 1)[1], template=template)
    migrating = subprocess.Popen([sys.executable, "-m", "tickets_db", "--project-dir", str(folder), "--db-url", url, "migrate"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with db.connection(cluster.superuser_url) as su:
        deadline = time.monotonic() + 60
        while not su.execute("select 1 from pg_stat_activity where query ilike 'create index concurrently%%'").fetchone():
            assert time.monotonic() < deadline and migrating.poll() is None, "the build never started"
            time.sleep(0.02)
        migrating.send_signal(signal.SIGKILL)  # the deploy dies, and its server session with it
        migrating.wait()
        su.execute("select pg_terminate_backend(pid) from pg_stat_activity where query ilike 'create index concurrently%%'")
    time.sleep(0.3)
    assert count(url, "select count(*) from pg_index where indexrelid = to_regclass('app.items_name') and not indisvalid") == 1  # left INVALID
    status = json.loads(run("--project-dir", str(folder), "--db-url", url, "status", "--format", "json").stdout)
    assert status["migrations"][-1]["status"] == "partly_applied" and status["migrations"][-1]["segments"] == {"done": 1, "total": 3}
    resumed = run("--project-dir", str(folder), "--db-url", url, "migrate")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert count(url, "select count(*) from pg_index where indexrelid = to_regclass('app.items_name') and indisvalid") == 1
    assert run("--project-dir", str(folder), "--db-url", url, "diff").returncode == 0


def small(tmp_path: Path, cluster, scratch, text: str = "") -> tuple[Path, str]:
    """The project at its first migration, on a fresh database with a few rows."""
    folder = project(tmp_path / "small", schema(BEFORE, online=True))
    assert run("--project-dir", str(folder), "--db-url", cluster.url("postgres"), "new", "init").returncode == 0
    url = scratch()
    assert run("--project-dir", str(folder), "--db-url", url, "reset", "--yes", "--no-seed").returncode == 0
    with db.connection(url) as conn:
        conn.execute("insert into app.items select g, 'item ' || g from generate_series(1, 100) g")
    return folder, url


def test_a_rewrite_of_an_online_table_is_refused_with_the_recipe(tmp_path, cluster, scratch):
    folder, _ = small(tmp_path, cluster, scratch)
    (folder / "schema" / "app.yaml").write_text(schema({**BEFORE, "owner_id": "integer"}, online=True))
    refused = run("--project-dir", str(folder), "--db-url", cluster.url("postgres"), "new", "narrower")
    assert refused.returncode == 3 and "a type change rewrites app.items" in refused.stderr and "expand and contract" in refused.stderr, refused.stderr
    assert not list((folder / "migrations").glob("*narrower*"))
    allowed = run("--project-dir", str(folder), "--db-url", cluster.url("postgres"), "new", "narrower", "--allow-rewrite")
    assert allowed.returncode == 0 and "type integer" in next((folder / "migrations").glob("*narrower*")).read_text()


def test_a_lock_not_had_in_time_is_tried_again_and_then_gives_up_cleanly(tmp_path, cluster, scratch):
    """Another session holds the table (a long report): each try gives up after lock_timeout
    instead of queueing ahead of the writes; with enough retries the migration gets through
    once the report ends, with too few it stops with nothing of that segment done."""
    folder, url = small(tmp_path, cluster, scratch)
    migration = folder / "migrations" / "29990101000000_flag.sql"
    migration.write_text("-- tickets-db: online lock_timeout=100ms retries=1\nalter table app.items add column flag boolean;\n")
    with db.connection(url) as holder:
        holder.autocommit = False
        holder.execute("lock table app.items in access share mode")
        started = time.monotonic()
        failed = run("--project-dir", str(folder), "--db-url", url, "migrate")
        assert failed.returncode == 1 and "within lock_timeout in 2 tries" in failed.stderr, failed.stderr
        assert time.monotonic() - started < 5
        holder.rollback()
    assert count(url, "select count(*) from information_schema.columns where table_name = 'items' and column_name = 'flag'") == 0
    migration.write_text("-- tickets-db: online lock_timeout=100ms retries=10\nalter table app.items add column flag boolean;\n")
    with db.connection(url) as holder:
        holder.autocommit = False
        holder.execute("lock table app.items in access share mode")
        migrating = subprocess.Popen([sys.executable, "-m", "tickets_db", "--project-dir", str(folder), "--db-url", url, "migrate"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.0)  # a few tries give up meanwhile
        holder.rollback()
    out, errors = migrating.communicate(timeout=60)
    assert migrating.returncode == 0 and "applied 29990101000000_flag.sql" in out, errors
