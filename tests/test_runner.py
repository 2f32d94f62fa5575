"""The runner against a real database: history, checksums, atomic failure, a concurrent second
process, and a process killed in the middle of a migration."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tickets_db import db
from tickets_db.errors import MigrationError
from tickets_db.migrations import list_migrations
from tickets_db.runner import history, migrate

from .conftest import clone, tool_env


def write(folder: Path, name: str, sql: str) -> Path:
    folder.mkdir(exist_ok=True)
    p = folder / name
    p.write_text(sql)
    return p


def tables(url: str) -> set[str]:
    with db.connection(url) as conn:
        return {r[0] for r in conn.execute("select tablename from pg_tables where schemaname = 'public'")}


def test_applies_in_order_and_records_history(empty_db, tmp_path):
    write(tmp_path, "20260101000000_a.sql", "create table a (id int);")
    write(tmp_path, "20260102000000_b.sql", "create table b (id int);")
    with db.connection(empty_db) as conn:
        done = migrate(conn, list_migrations(tmp_path))
        assert [m.name for m, _ in done] == ["a", "b"]
        applied = history(conn)
        assert [(a.version, a.name) for a in applied] == [("20260101000000", "a"), ("20260102000000", "b")]
        assert all(len(a.checksum) == 64 and a.duration_ms >= 0 and a.applied_at for a in applied)
        assert migrate(conn, list_migrations(tmp_path)) == []  # nothing pending the second time
    assert {"a", "b"} <= tables(empty_db)


def test_enum_values_committed_before_use(empty_db, tmp_path):
    write(tmp_path, "20260101000000_a.sql", "create type e as enum ('x'); create table t (v e);")
    write(tmp_path, "20260102000000_b.sql", "-- tickets-db: autocommit\nalter type e add value if not exists 'y';\n-- tickets-db: transaction\ninsert into t values ('y');\n")
    with db.connection(empty_db) as conn:
        migrate(conn, list_migrations(tmp_path))
        assert conn.execute("select v::text from t").fetchall() == [("y",)]


def test_failing_statement_names_file_and_line_and_changes_nothing(empty_db, tmp_path):
    write(tmp_path, "20260101000000_a.sql", "create table a (id int);")
    write(tmp_path, "20260102000000_b.sql", "create table b (id int);\n\ninsert into nope values (1);\n")
    with db.connection(empty_db) as conn:
        with pytest.raises(MigrationError) as info:
            migrate(conn, list_migrations(tmp_path))
        assert info.value.file.endswith("20260102000000_b.sql") and info.value.line == 3
        assert 'relation "nope" does not exist' in info.value.message
        assert [a.name for a in history(conn)] == ["a"]
    assert "b" not in tables(empty_db) and "a" in tables(empty_db)


RECORDED_FIRST = """\
create table x (a int);
do $$ begin if not exists (select 1 from tickets_db.progress where version = '{version}' and segment = 0)
  then raise exception 'progress recorded after the statements'; end if; end $$;
-- tickets-db: transaction
do $$ begin if not exists (select 1 from tickets_db.migrations where version = '{version}')
  then raise exception 'history recorded after the statements'; end if; end $$;
alter table x add column b int;
"""


def test_an_online_transaction_keeps_its_books_before_it_locks(empty_db, cluster, tmp_path):
    """A lock an online segment takes is held for its statements and the commit only: the
    history (progress, the applied row) is written first in the same transaction, where a plain
    migration writes it last."""
    write(tmp_path / "online", "20260101000000_x.sql", "-- tickets-db: online lock_timeout=250ms retries=1\n" + RECORDED_FIRST.replace("{version}", "20260101000000"))
    settings = "select current_setting('synchronous_commit'), current_setting('lock_timeout')"
    with db.connection(empty_db) as conn:
        before = conn.execute(settings).fetchone()
        migrate(conn, list_migrations(tmp_path / "online"))
        assert [a.version for a in history(conn)] == ["20260101000000"]
        assert conn.execute(settings).fetchone() == before  # its segments' settings do not outlive it
        assert conn.execute("select count(*) from tickets_db.progress").fetchone() == (0,)
    write(tmp_path / "plain", "20260102000000_y.sql", RECORDED_FIRST.replace("{version}", "20260102000000").replace("table x", "table y"))
    with clone(cluster, cluster.ensure_platform_template()) as other, db.connection(other) as conn:
        with pytest.raises(MigrationError, match="progress recorded after the statements"):
            migrate(conn, list_migrations(tmp_path / "plain"))


def test_a_failing_online_segment_names_its_statement_and_keeps_none_of_it(empty_db, tmp_path):
    """An online transaction is sent as one pipeline; when a statement in it fails, the error
    still names that statement's line, and nothing of its transaction stays (the segment
    before it does: the next migrate resumes there)."""
    write(tmp_path, "20260101000000_a.sql", "-- tickets-db: online lock_timeout=250ms retries=0\ncreate table a (id int);\n"
          "-- tickets-db: transaction\nalter table a add column b int;\ninsert into a values (1, 2);\n\nalter table a add column b int;\n")
    with db.connection(empty_db) as conn:
        with pytest.raises(MigrationError) as info:
            migrate(conn, list_migrations(tmp_path))
        assert info.value.line == 7 and 'column "b" of relation "a" already exists' in info.value.message
        assert conn.execute("select count(*) from a").fetchone() == (0,)
        assert conn.execute("select count(*) from information_schema.columns where table_name = 'a'").fetchone() == (1,)
        assert conn.execute("select segment from tickets_db.progress").fetchall() == [(0,)]
        assert history(conn) == []


def test_an_online_migration_by_a_role_without_temporary_tables(empty_db, cluster, tmp_path):
    """The session warms its caches on a temporary table first; a role that may not create one
    migrates all the same."""
    write(tmp_path, "20260101000000_a.sql", "-- tickets-db: online\ncreate table a (id int);\n-- tickets-db: transaction\nalter table a add column b int;\n")
    name = empty_db.rsplit("/", 1)[1]
    with db.connection(cluster.superuser_url) as su:
        su.execute(f'revoke temporary on database "{name}" from public')
        su.execute(f'revoke temporary on database "{name}" from postgres')  # its owner
    with db.connection(empty_db) as conn:
        assert not conn.execute("select has_database_privilege(current_database(), 'temporary')").fetchone()[0]
        migrate(conn, list_migrations(tmp_path))
        assert [a.version for a in history(conn)] == ["20260101000000"]


def test_edited_migration_is_an_error(empty_db, tmp_path):
    p = write(tmp_path, "20260101000000_a.sql", "create table a (id int);")
    with db.connection(empty_db) as conn:
        migrate(conn, list_migrations(tmp_path))
        p.write_text("create table a (id bigint);")
        write(tmp_path, "20260102000000_b.sql", "create table b (id int);")
        with pytest.raises(MigrationError, match="edited after it was applied"):
            migrate(conn, list_migrations(tmp_path))
    assert "b" not in tables(empty_db)


def run_migrate(project: Path, url: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tickets_db", "--project-dir", str(project), "--db-url", url, "migrate"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=tool_env())


def test_two_processes_apply_each_migration_once(empty_db, tmp_path):
    (tmp_path / "tickets-db.toml").write_text("")
    # Slow enough that the two runs overlap; a second apply of `a` would fail (table exists).
    write(tmp_path / "migrations", "20260101000000_a.sql", "create table a (id int); select pg_sleep(0.5);")
    write(tmp_path / "migrations", "20260102000000_b.sql", "create table b (id int);")
    procs = [run_migrate(tmp_path, empty_db) for _ in range(2)]
    results = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    with db.connection(empty_db) as conn:
        assert [a.name for a in history(conn)] == ["a", "b"]
    applied_lines = sum(out.count("applied 2026") for out, _ in results)
    assert applied_lines == 2


def test_killed_mid_migration_leaves_previous_version(empty_db, tmp_path):
    (tmp_path / "tickets-db.toml").write_text("")
    write(tmp_path / "migrations", "20260101000000_a.sql", "create table a (id int);")
    slow = write(tmp_path / "migrations", "20260102000000_b.sql", "create table b (id int);\nselect pg_sleep(30);\n")
    proc = run_migrate(tmp_path, empty_db)
    deadline = time.monotonic() + 20
    with db.connection(empty_db) as conn:
        while time.monotonic() < deadline:
            if conn.execute("select count(*) from pg_stat_activity where query like '%%pg_sleep(30)%%' and pid <> pg_backend_pid()").fetchone()[0]:
                break
            time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    with db.connection(empty_db) as conn:  # the server notices the dead client and rolls back
        for _ in range(100):
            if not conn.execute("select count(*) from pg_stat_activity where query like '%%pg_sleep(30)%%' and pid <> pg_backend_pid()").fetchone()[0]:
                break
            conn.execute("select pg_terminate_backend(pid) from pg_stat_activity where query like '%%pg_sleep(30)%%' and pid <> pg_backend_pid()")
            time.sleep(0.1)
        assert [a.name for a in history(conn)] == ["a"]
    assert "b" not in tables(empty_db)
    slow.write_text("create table b (id int);\n")  # never applied, so it may still change
    rerun = run_migrate(tmp_path, empty_db)
    assert rerun.wait(timeout=60) == 0
    assert "b" in tables(empty_db)


def test_a_migration_older_than_the_newest_applied_is_refused_unless_allowed(empty_db, tmp_path):
    """It was applied out of order with exit 0 and no word (a branch merged late)."""
    folder = tmp_path / "migrations"
    write(folder, "20260101000000_a.sql", "create table a (id int);")
    write(folder, "20260103000000_c.sql", "create table c (id int);")
    with db.connection(empty_db) as conn:
        migrate(conn, list_migrations(folder))
    write(folder, "20260102000000_b.sql", "create table b (id int);")
    with db.connection(empty_db) as conn:
        with pytest.raises(MigrationError) as info:
            migrate(conn, list_migrations(folder))
        assert "older than the newest applied migration (20260103000000)" in info.value.message
        assert "--allow-out-of-order" in (info.value.hint or "")
        assert "b" not in tables(empty_db)
        assert [m.name for m, _ in migrate(conn, list_migrations(folder), allow_out_of_order=True)] == ["b"]


def test_an_applied_migration_whose_file_is_gone_is_an_error(empty_db, tmp_path):
    folder = tmp_path / "migrations"
    gone = write(folder, "20260101000000_a.sql", "create table a (id int);")
    write(folder, "20260102000000_b.sql", "create table b (id int);")
    with db.connection(empty_db) as conn:
        migrate(conn, list_migrations(folder))
    gone.unlink()
    with db.connection(empty_db) as conn, pytest.raises(MigrationError) as info:
        migrate(conn, list_migrations(folder))
    assert "missing from the folder: 20260101000000_a.sql" in info.value.message


def test_status_fails_on_a_missing_file_and_warns_of_out_of_order(empty_db, tmp_path):
    (tmp_path / "tickets-db.toml").write_text("")
    folder = tmp_path / "migrations"
    write(folder, "20260101000000_a.sql", "create table a (id int);")
    gone = write(folder, "20260103000000_c.sql", "create table c (id int);")
    assert run_migrate(tmp_path, empty_db).wait(timeout=60) == 0
    write(folder, "20260102000000_b.sql", "create table b (id int);")
    late = subprocess.run([sys.executable, "-m", "tickets_db", "--project-dir", str(tmp_path), "status", "--db-url", empty_db], capture_output=True, text=True, env=tool_env())
    assert late.returncode == 0 and "pending, out of order" in late.stdout and "--allow-out-of-order" in late.stderr
    refused = run_migrate(tmp_path, empty_db)
    assert refused.wait(timeout=60) == 1 and "out of order" in refused.stderr.read()
    gone.unlink()
    missing = subprocess.run([sys.executable, "-m", "tickets_db", "--project-dir", str(tmp_path), "status", "--db-url", empty_db], capture_output=True, text=True, env=tool_env())
    assert missing.returncode == 1 and "applied, file missing" in missing.stdout and "missing from the folder" in missing.stderr


def test_ten_processes_migrate_a_fresh_database_at_once(cluster, scratch, tmp_path):
    """A database without the platform stand-in: installing it once raced (7 of 15 processes
    crashed with UniqueViolation / DuplicateTable); now it happens under the migration lock."""
    (tmp_path / "tickets-db.toml").write_text("")
    write(tmp_path / "migrations", "20260101000000_a.sql", "create table a (id int); select pg_sleep(0.2);")
    write(tmp_path / "migrations", "20260102000000_b.sql", "create table b (id int);")
    url = scratch()
    with db.connection(cluster.url("template1")) as conn:
        db.create_database(conn, url.rsplit("/", 1)[1], template="template0")
    procs = [run_migrate(tmp_path, url) for _ in range(10)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 10, [err for _, err in results]
    assert not any("Traceback" in err for _, err in results)
    assert sum(out.count("applied 2026") for out, _ in results) == 2
    assert sum(out.count("installed the Supabase stand-in") for out, _ in results) == 1
    with db.connection(url) as conn:
        assert [a.name for a in history(conn)] == ["a", "b"]
