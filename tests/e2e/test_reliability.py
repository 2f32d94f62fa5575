"""What a user meets when things are not as planned, as real processes: a role without the
privileges a reset needs, a folder that is not a project, a merge of two branches, a seed that
fell behind the YAML, a local database whose port, data or disk went wrong, an error nobody
foresaw."""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tickets_db import db
from tickets_db.localdb import Cluster

from ..conftest import tool_env
from ..pgdump import dump_difference, schema_dump
from .test_cli import count, run


def databases(cluster: Cluster, templates: bool = True) -> set[str]:
    with db.connection(cluster.url("template1")) as conn:
        return {r[0] for r in conn.execute("select datname from pg_database where %s or not datistemplate", (templates,))}


@pytest.fixture
def owned_db(cluster: Cluster):
    """A database owned by a login role of its own (no CREATEDB), with a table of data in it;
    plain PostgreSQL: no stand-in."""
    role, name = f"owner_{uuid.uuid4().hex[:8]}", f"app_{uuid.uuid4().hex[:8]}"
    with db.connection(cluster.superuser_url) as su:
        su.execute(f'create role "{role}" login')
        su.execute(f'grant "{role}" to postgres')
        su.execute(f'create database "{name}" owner "{role}"')
    with db.connection(cluster.url(name, role)) as conn:
        conn.execute("create table keep (id int); insert into keep values (1)")
    yield role, name
    with db.connection(cluster.superuser_url) as su:
        db.drop_database(su, name)
        su.execute(f'drop role "{role}"')


@pytest.fixture
def undroppable_db(cluster: Cluster):
    """A database like hosted Supabase's `postgres`: the stand-in in it, owned by the superuser,
    so the migrations' role (postgres, with CREATE on it) may not drop it; a table of data in
    public."""
    name = f"app_{uuid.uuid4().hex[:8]}"
    with db.connection(cluster.superuser_url) as su:
        db.create_database(su, name, template=cluster.ensure_platform_template(), owner="supabase_admin")
        su.execute(f'grant create on database "{name}" to postgres')
    with db.connection(cluster.url(name, "supabase_admin")) as su:
        su.execute("alter schema public owner to postgres")  # as on Supabase
    with db.connection(cluster.url(name)) as conn:
        conn.execute("create table public.keep (id int); insert into public.keep values (1)")
    yield name
    with db.connection(cluster.superuser_url) as su:
        db.drop_database(su, name)


def test_reset_of_a_database_it_may_not_drop_is_in_place(project_copy, cluster, undroppable_db, scratch):
    """It once dropped the database and then could not create it again; then it refused. Now it
    resets in place: the owner stays, the migrations and seeds are there, nothing is left on the
    server, and the project's own objects (the stray table in public too) are gone."""
    before = databases(cluster, templates=False)  # the tests' shadow server is this one: its cached templates may appear
    for _ in range(2):  # the second time over what the first built: the seeds' users, the buckets, the policies on storage
        result = run("--project-dir", str(project_copy), "reset", "--yes", "--db-url", cluster.url(undroppable_db))
        assert result.returncode == 0 and "reset in place" in result.stdout and "is not the owner" in result.stdout, result.stdout + result.stderr
        with db.connection(cluster.url("template1")) as conn:
            assert db.owner_of(conn, undroppable_db) == "supabase_admin"
        assert count(cluster.url(undroppable_db), "select count(*) from public.tickets") == 5  # migrations and seeds
        assert count(cluster.url(undroppable_db), "select count(*) from tickets_db.migrations") == len(list((project_copy / "migrations").glob("*.sql")))
    assert count(cluster.url(undroppable_db), "select count(*) from pg_class where relname = 'keep'") == 0
    assert databases(cluster, templates=False) == before  # no copy left behind
    fresh = scratch()  # a reset by dropping and re-creating: what pg_dump sees is the same
    assert run("--project-dir", str(project_copy), "reset", "--yes", "--db-url", fresh).returncode == 0
    with db.connection(cluster.url(fresh.rsplit("/", 1)[1], "supabase_admin")) as su:
        su.execute("alter schema public owner to postgres")
    assert schema_dump(cluster.url(undroppable_db)) == schema_dump(fresh), dump_difference(schema_dump(cluster.url(undroppable_db)), schema_dump(fresh))


def test_reset_of_a_database_with_the_real_platform_keeps_the_platform(project_copy, cluster, undroppable_db):
    """Hosted Supabase: auth and storage are the platform's own (their services' migration
    tables say so), with rows nobody's migrations wrote — a user who signed up, a bucket made in
    the dashboard with a file, the platform's trigger on storage.objects. A reset, even by a role
    that could drop the database, happens in place and keeps all of it."""
    with db.connection(cluster.url(undroppable_db, "supabase_admin")) as su:
        su.execute("alter database " + undroppable_db + " owner to postgres")  # droppable: the platform alone forbids it
        su.execute("create table auth.schema_migrations (version text primary key); insert into auth.schema_migrations values ('20240101000000')")
        su.execute("create table storage.migrations (id int primary key, name text); insert into storage.migrations values (0, 'create-migrations-table')")
        su.execute("create function storage.touch() returns trigger language plpgsql as $$begin new.updated_at = now(); return new; end$$;"
                   "create trigger update_objects_updated_at before update on storage.objects for each row execute function storage.touch()")
        su.execute("insert into auth.users (id, aud, role, email) values ('00000000-0000-0000-0000-00000000beef', 'authenticated', 'authenticated', 'signed-up@example.com');"
                   "insert into storage.buckets (id, name) values ('dashboard', 'dashboard');"
                   "insert into storage.objects (bucket_id, name) values ('dashboard', 'report.pdf')")
    url = cluster.url(undroppable_db)
    for _ in range(2):
        result = run("--project-dir", str(project_copy), "reset", "--yes", "--db-url", url)
        assert result.returncode == 0 and "reset in place (it holds the platform's own auth and storage)" in result.stdout, result.stdout + result.stderr
        assert count(url, "select count(*) from public.tickets") == 5
        assert count(url, "select count(*) from storage.buckets where id = 'account_image'") == 1  # the project's own, made again once
    admin = cluster.url(undroppable_db, "supabase_admin")
    assert count(admin, "select count(*) from auth.schema_migrations") == 1 and count(admin, "select count(*) from storage.migrations") == 1
    assert count(url, "select count(*) from auth.users where email = 'signed-up@example.com'") == 1
    assert count(url, "select count(*) from storage.objects where bucket_id = 'dashboard'") == 1
    assert count(url, "select count(*) from pg_trigger where tgname = 'update_objects_updated_at'") == 1


def test_reset_in_place_without_the_stand_in_changes_nothing(project_copy, cluster, owned_db):
    """No CREATEDB, and the stand-in cannot be installed by this role: refused before anything goes."""
    role, name = owned_db
    before = databases(cluster)
    result = run("--project-dir", str(project_copy), "reset", "--yes", "--db-url", cluster.url(name, role))
    assert result.returncode == 1 and "nothing was changed" in result.stderr and "Supabase objects" in result.stderr, result.stderr
    assert count(cluster.url(name, role), "select count(*) from keep") == 1
    assert databases(cluster) == before


def test_reset_in_place_refuses_what_it_may_not_drop_and_changes_nothing(project_copy, cluster, undroppable_db):
    assert run("--project-dir", str(project_copy), "reset", "--yes", "--db-url", cluster.url(undroppable_db)).returncode == 0
    stranger = f"stranger_{uuid.uuid4().hex[:6]}"
    with db.connection(cluster.superuser_url) as su:
        su.execute(f'create role "{stranger}"')
    with db.connection(cluster.url(undroppable_db, "supabase_admin")) as su:
        su.execute(f'alter table public.tickets owner to "{stranger}"')
    try:
        result = run("--project-dir", str(project_copy), "reset", "--yes", "--db-url", cluster.url(undroppable_db))
        assert result.returncode == 1 and "nothing was changed" in result.stderr and f"table public.tickets belongs to {stranger}" in result.stderr, result.stderr
        assert count(cluster.url(undroppable_db), "select count(*) from public.tickets") == 5
    finally:
        with db.connection(cluster.url(undroppable_db, "supabase_admin")) as su:
            su.execute("alter table public.tickets owner to postgres")
        with db.connection(cluster.superuser_url) as su:
            su.execute(f'drop role "{stranger}"')


def test_reset_keeps_the_owner_and_leaves_nothing_on_the_server(project_copy, cluster, owned_db):
    role, name = owned_db
    before = databases(cluster)
    result = run("--project-dir", str(project_copy), "reset", "--yes", "--db-url", cluster.url(name))
    assert result.returncode == 0 and "in place" not in result.stdout, result.stderr
    with db.connection(cluster.url("template1")) as conn:
        assert db.owner_of(conn, name) == role
    assert count(cluster.url(name), "select count(*) from public.tickets") == 5  # migrations and seeds
    assert databases(cluster) == before  # no template, no copy left behind


def test_outside_a_project_nothing_is_created(tmp_path):
    for command in (["status"], ["lint"], ["reset"], ["new", "x"], ["start"]):
        result = run(*command, cwd=tmp_path)
        assert result.returncode == 2 and "no tickets-db.toml" in result.stderr and "tickets-db init" in result.stderr
        assert list(tmp_path.iterdir()) == []


def test_init_makes_a_project_and_changes_nothing_the_second_time(tmp_path):
    first = run("init", cwd=tmp_path)
    assert first.returncode == 0 and "created tickets-db.toml" in first.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["migrations", "schema", "seeds", "tickets-db.toml"]
    (tmp_path / "tickets-db.toml").write_text('schema = "db"\n')
    again = run("init", cwd=tmp_path)
    assert again.returncode == 0 and (tmp_path / "tickets-db.toml").read_text() == 'schema = "db"\n'
    assert (tmp_path / "db").is_dir()
    assert run("lint", cwd=tmp_path).returncode == 0


def test_after_a_merge_hash_rewrites_the_sum(project_copy, scratch):
    """Two branches each added a migration; git kept one side of tickets-db.sum. `check` and
    `new` say what to do, `hash` does it (as `atlas migrate hash`)."""
    url = scratch()
    (project_copy / "migrations" / "20991231000000_other_branch.sql").write_text("create table public.other (id int);\n")
    check = run("--project-dir", str(project_copy), "check", "--db-url", url)
    assert check.returncode == 1 and "tickets-db hash" in check.stderr
    new = run("--project-dir", str(project_copy), "new", "x", "--db-url", url)
    assert new.returncode == 1 and "tickets-db hash" in new.stderr
    assert not list((project_copy / "migrations").glob("*_x.sql"))
    hashed = run("--project-dir", str(project_copy), "hash")
    assert hashed.returncode == 0 and "wrote migrations/tickets-db.sum" in hashed.stdout
    assert "20991231000000_other_branch.sql" in (project_copy / "migrations" / "tickets-db.sum").read_text()
    assert run("--project-dir", str(project_copy), "hash").stdout.strip().endswith("already matches the migration files")


def test_check_fails_when_a_seed_fell_behind_the_yaml(project_copy, scratch):
    """`check` passed while `reset` and `test` failed: the seed still used a renamed column."""
    url = scratch()
    support = project_copy / "schema" / "tickets" / "support.yaml"
    support.write_text(support.read_text().replace(
        "      title: {type: varchar(255), not_null: true, grants: {authenticated: [update]}}", "      subject: {type: varchar(255), not_null: true, renamed_from: title, grants: {authenticated: [update]}}"))
    assert run("--project-dir", str(project_copy), "new", "rename", "--db-url", url).returncode == 0
    assert run("--project-dir", str(project_copy), "typegen").returncode == 0
    result = run("--project-dir", str(project_copy), "check", "--db-url", url)
    assert result.returncode == 1
    assert "seeds/seed.sql" in result.stderr and 'column "title" of relation "tickets" does not exist' in result.stderr
    seed = project_copy / "seeds" / "seed.sql"
    seed.write_text("insert into public.plans (variant_id, name, max_tickets) values ('x', 'X', 1);\n")  # what the YAML has now
    fixed = run("--project-dir", str(project_copy), "check", "--db-url", url)
    assert fixed.returncode == 0, fixed.stderr


def test_an_unexpected_error_is_one_line_and_the_traceback_only_with_debug(project_copy):
    """The last resort, with a fault put where nothing expects one."""
    code = ("import sys, tickets_db.planner as p\n"
            "def boom(*a, **k): raise KeyError('no such thing')\n"
            "p.live_diff = boom\n"
            "from tickets_db.cli import main\n"
            "sys.argv = ['tickets-db', *sys.argv[1:]]\nmain()\n")
    # a URL that is never reached (the fault comes first): no local server started for it
    args = [sys.executable, "-c", code, "--project-dir", str(project_copy), "diff", "--db-url", "postgresql://postgres@127.0.0.1:1/never"]
    plain = subprocess.run(args, capture_output=True, text=True, env=tool_env())
    assert plain.returncode == 4
    assert plain.stderr.startswith("error: unexpected KeyError: 'no such thing' (at <string>:2 in boom)")
    assert "--debug" in plain.stderr and "Traceback" not in plain.stderr
    debug = subprocess.run([*args[:3], "--debug", *args[3:]], capture_output=True, text=True, env=tool_env())
    assert debug.returncode == 4 and "Traceback (most recent call last)" in debug.stderr
    env = subprocess.run(args, capture_output=True, text=True, env=tool_env() | {"TICKETS_DB_DEBUG": "1"})
    assert "Traceback (most recent call last)" in env.stderr


def test_the_server_going_away_during_sql_is_one_error(tmp_path):
    (tmp_path / "tickets-db.toml").write_text("")
    started = run("--project-dir", str(tmp_path), "start")
    assert started.returncode == 0
    cluster = Cluster(tmp_path / ".tickets-db")
    try:
        proc = subprocess.Popen([sys.executable, "-m", "tickets_db", "--project-dir", str(tmp_path), "sql", "select pg_sleep(20)"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=tool_env())
        with db.connection(cluster.superuser_url) as su:
            deadline = time.monotonic() + 20
            while not su.execute("select 1 from pg_stat_activity where query like 'select pg_sleep(20)%'").fetchone():
                assert time.monotonic() < deadline
                time.sleep(0.05)
        subprocess.run(["su", "postgres", "-s", "/bin/sh", "-c", f"/usr/lib/postgresql/15/bin/pg_ctl stop -m immediate -D {cluster.data}"], capture_output=True)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 1 and "Traceback" not in err
        assert err.startswith("error: the database connection was lost"), err
    finally:
        run("--project-dir", str(tmp_path), "stop")
        cluster.destroy()


@pytest.fixture
def local(tmp_path):
    (tmp_path / "tickets-db.toml").write_text("")
    cluster = Cluster(tmp_path / ".tickets-db")
    yield tmp_path, cluster
    run("--project-dir", str(tmp_path), "stop")
    cluster.destroy()


def test_the_local_port_is_kept_after_stop_with_a_client_connected(local):
    """Connections of the stopped server in TIME_WAIT once made the next start pick a new port."""
    project, cluster = local
    first = run("--project-dir", str(project), "start").stdout.split()[-1]
    with db.connection(cluster.url("postgres")) as conn:
        conn.execute("select 1")
        assert run("--project-dir", str(project), "stop").returncode == 0
    again = run("--project-dir", str(project), "start")
    assert again.returncode == 0 and again.stdout.split()[-1] == first


def test_a_taken_port_is_a_clear_error(local):
    project, cluster = local
    run("--project-dir", str(project), "start")
    run("--project-dir", str(project), "stop")
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as a server binds: past TIME_WAIT
        squatter.bind(("127.0.0.1", cluster.port))
        squatter.listen()
        result = run("--project-dir", str(project), "status")
    assert result.returncode == 1 and f"port {cluster.port} of the local database is taken" in result.stderr


def test_a_deleted_data_directory_is_not_silently_replaced(local):
    project, cluster = local
    run("--project-dir", str(project), "start")
    shutil.rmtree(cluster.data)
    result = run("--project-dir", str(project), "status")
    assert result.returncode == 1 and "is gone" in result.stderr and "tickets-db stop" in result.stderr
    assert not cluster.data.exists()
    stopped = run("--project-dir", str(project), "stop")  # ends the server still running from it
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    (project / ".tickets-db" / "state.json").unlink()
    assert run("--project-dir", str(project), "status").returncode == 0  # as the hint says: a new, empty one


def test_a_missing_database_says_how_to_rebuild_it(local):
    """An interrupted reset once left no `postgres` database, and every command failed."""
    project, cluster = local
    run("--project-dir", str(project), "start")
    with db.connection(cluster.superuser_url) as su:
        db.drop_database(su, "postgres")
    result = run("--project-dir", str(project), "status")
    assert result.returncode == 1 and 'database "postgres" does not exist' in result.stderr and "tickets-db reset" in result.stderr
    assert run("--project-dir", str(project), "reset").returncode == 0
    assert run("--project-dir", str(project), "status").returncode == 0


def test_orphaned_throwaway_databases_are_swept_on_start_and_stop(local):
    project, cluster = local
    run("--project-dir", str(project), "start")
    with db.connection(cluster.url("postgres")) as conn:
        for name in ("tdb_shadow_0123456789", "tdb_test_abcdef0123", "tdb_reset_0123456789", "tdb_0a1b2c3d_0123456789ab_a1b2c3", "mine"):
            db.create_database(conn, name)
    assert run("--project-dir", str(project), "stop").returncode == 0
    run("--project-dir", str(project), "start")
    left = {n for n in databases(cluster) if n.startswith("tdb_") or n == "mine"}
    assert "mine" in left and not any(n.startswith(("tdb_shadow", "tdb_test", "tdb_reset", "tdb_0a1b2c3d")) for n in left)
    with db.connection(cluster.url("postgres")) as conn:
        db.create_database(conn, "tdb_shadow_9999999999")
    subprocess.run(["su", "postgres", "-s", "/bin/sh", "-c", f"/usr/lib/postgresql/15/bin/pg_ctl stop -m fast -D {cluster.data}"], capture_output=True)
    run("--project-dir", str(project), "start")
    assert "tdb_shadow_9999999999" not in databases(cluster)


def test_a_full_disk_is_reported_as_such_within_seconds():
    disk = Path(f"/tmp/tickets-db-full-{uuid.uuid4().hex[:8]}")  # where the server's user may write: the data stays on it
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=120m", "tmpfs", str(disk)], capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        os.chmod(disk, 0o777)
        (disk / "tickets-db.toml").write_text("")
        assert run("--project-dir", str(disk), "start").returncode == 0
        run("--project-dir", str(disk), "stop")
        free = shutil.disk_usage(disk).free
        with open(disk / "filler", "wb") as f:
            f.write(b"\0" * (free - 1024 * 1024))
        started = time.monotonic()
        result = run("--project-dir", str(disk), "status")
        assert time.monotonic() - started < 10
        assert result.returncode == 1 and "is full" in result.stderr and "free some space" in result.stderr, result.stderr
        (disk / "filler").unlink()
        assert run("--project-dir", str(disk), "status").returncode == 0
    finally:
        run("--project-dir", str(disk), "stop")
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)
        shutil.rmtree(disk, ignore_errors=True)


@pytest.mark.parametrize("where", ["migration", "seed", "yaml", "pgtap"])
def test_a_file_that_is_not_utf8_is_one_error_naming_it(project_copy, scratch, where):
    url = scratch()
    latin1 = "-- café\n".encode("latin-1")
    if where == "migration":
        path, command = project_copy / "migrations" / "20991231000000_accent.sql", ["migrate"]
        path.write_bytes(latin1 + b"select 1;\n")
        with db.connection(url.rsplit("/", 1)[0] + "/template1") as conn:
            db.create_database(conn, url.rsplit("/", 1)[1], template="template0")
    elif where == "seed":
        path, command = project_copy / "seeds" / "seed.sql", ["reset", "--yes"]
        path.write_bytes(latin1 + path.read_bytes())
    elif where == "yaml":
        path, command = project_copy / "schema" / "tickets" / "support.yaml", ["lint"]
        path.write_bytes(latin1.replace(b"--", b"#") + path.read_bytes())
    else:
        path, command = project_copy / "tests" / "database" / "x.test.sql", ["test"]
        path.parent.mkdir(parents=True)
        path.write_bytes(latin1 + b"select plan(0);\n")
        url = url.replace("postgresql://postgres@", "postgresql://supabase_admin@")  # pgTAP needs a superuser to install
    result = run("--project-dir", str(project_copy), *command, "--db-url", url)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    shown = str(path.relative_to(project_copy))
    assert re.search(rf"{re.escape(shown)}:1: byte 0xe9 at offset \d+ \(line 1, column \d+\) is not UTF-8", result.stderr), result.stderr
