"""A Supabase project nobody wrote for tickets-db (tests/fixtures/supabase_project: hand-written
migrations, one named in CamelCase, config.toml, seed.sql, pgTAP files using basejump's helper API
and a helper file later files depend on), adopted as its owner would: `init`, the real Supabase
CLI pushes it, tickets-db tests it, repairs its history, pulls it and finds no difference."""
from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest

from tickets_db import db

from ..conftest import ROOT
from .test_cli import run
from .test_supabase_cli import listed, supabase

FIXTURE = ROOT / "tests" / "fixtures" / "supabase_project"
VERSIONS = ["20240104000000", "20240105000000"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "posts"
    shutil.copytree(FIXTURE, folder)
    made = run("--project-dir", str(folder), "init")
    assert made.returncode == 0, made.stderr
    return folder


@pytest.fixture
def pushed(project: Path, scratch, cluster) -> str:
    """A database the Supabase CLI migrated (`supabase db push`), as a hosted project's is."""
    url = scratch()
    with db.connection(cluster.url("template1")) as conn:
        db.create_database(conn, url.rsplit("/", 1)[1], template=cluster.ensure_platform_template())
    result = supabase(project, "db", "push", "--db-url", url, "--yes")
    assert result.returncode == 0, result.stdout + result.stderr
    return url


def tdb(project: Path, *args: str):
    return run("--project-dir", str(project), *args)


def test_init_finds_the_supabase_layout(project):
    settings = tomllib.loads((project / "tickets-db.toml").read_text())
    assert settings["migrations"] == "supabase/migrations" and settings["database_tests"] == "supabase/tests"
    assert settings["seeds"] == "supabase/seed.sql" and settings["schema"] == "supabase/schemas"
    assert (project / "supabase" / "schemas").is_dir()
    hashed = tdb(project, "hash")
    assert hashed.returncode == 0 and (project / "supabase" / "tickets-db.sum").is_file()
    assert not (project / "supabase" / "migrations" / "tickets-db.sum").exists()  # where `db push` would warn about it


def test_what_supabase_pushed_is_applied_and_nothing_warns(project, pushed):
    assert tdb(project, "hash").returncode == 0
    again = supabase(project, "db", "push", "--db-url", pushed, "--yes")
    assert again.returncode == 0 and "skipping" not in (again.stdout + again.stderr).lower(), again.stdout + again.stderr
    status = tdb(project, "--db-url", pushed, "status", "--format", "json")
    assert status.returncode == 0, status.stderr
    assert [(m["version"], m["status"]) for m in json.loads(status.stdout)["migrations"]] == [(v, "applied_by_supabase") for v in VERSIONS]
    assert tdb(project, "--db-url", pushed, "migrate").stdout.count("applied 20") == 0  # nothing run twice


def test_the_projects_pgtap_files_run_as_supabase_test_db_runs_them(project, pushed, cluster):
    """In one database, in order: the helper file's schema reaches the later files, basejump's
    extension is there to create, clear_authentication leaves anon and time can be frozen."""
    admin = cluster.url(pushed.rsplit("/", 1)[1], "supabase_admin")  # pgTAP is installed by a superuser, as on Supabase
    result = tdb(project, "--db-url", admin, "test", "--seed", "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    files = json.loads(result.stdout)["files"]
    assert [(Path(f["file"]).name, f["tests"], f["passed"]) for f in files] == [
        ("00000-helpers.sql", 0, True), ("01-posts.sql", 7, True), ("02-time.sql", 2, True)]
    alone = tdb(project, "--db-url", admin, "test", "--seed", str(project / "supabase" / "tests" / "database" / "01-posts.sql"))
    assert alone.returncode == 1 and 'schema "test_data" does not exist' in alone.stdout  # it does depend on the helper


def test_repair_changes_both_histories_and_runs_nothing(project, pushed):
    reverted = tdb(project, "--db-url", pushed, "repair", VERSIONS[1], "--status", "reverted")
    assert reverted.returncode == 0 and f"{VERSIONS[1]}: marked reverted" in reverted.stdout, reverted.stderr
    assert [(local, remote.strip()) for local, remote in listed(project, pushed)] == [(VERSIONS[0], VERSIONS[0]), (VERSIONS[1], "")]  # Supabase sees it too
    with db.connection(pushed) as conn:  # nothing was undone
        assert conn.execute("select to_regtype('public.post_status')").fetchone()[0] is not None
    restored = tdb(project, "--db-url", pushed, "repair", VERSIONS[1], "--status", "applied", "--format", "json")
    assert restored.returncode == 0 and json.loads(restored.stdout)["changed"] == [VERSIONS[1]]
    assert listed(project, pushed) == [(v, v) for v in VERSIONS]
    status = json.loads(tdb(project, "--db-url", pushed, "status", "--format", "json").stdout)
    assert [m["status"] for m in status["migrations"]] == ["applied_by_supabase", "applied"]  # the repaired one in both
    unknown = tdb(project, "--db-url", pushed, "repair", "20990101000000", "--status", "applied")
    assert unknown.returncode == 2 and "no migration file has the version 20990101000000" in unknown.stderr


def test_pulled_into_schemas_it_rebuilds_what_the_migrations_built_and_resets(project, pushed):
    pulled = tdb(project, "--db-url", pushed, "pull", "--schema", "public")
    assert pulled.returncode == 0, pulled.stderr
    assert (project / "supabase" / "schemas" / "public.yaml").is_file()
    same = tdb(project, "--db-url", pushed, "diff")
    assert same.returncode == 0 and "no differences" in same.stdout, same.stdout + same.stderr
    assert tdb(project, "hash").returncode == 0
    reset = tdb(project, "--db-url", pushed, "reset", "--yes")
    assert reset.returncode == 0, reset.stdout + reset.stderr
    status = json.loads(tdb(project, "--db-url", pushed, "status", "--format", "json").stdout)
    assert [m["status"] for m in status["migrations"]] == ["applied", "applied"]
    with db.connection(pushed) as conn:  # the seed file config.toml names
        assert conn.execute("select title from public.posts").fetchall() == [("Hello",)]
