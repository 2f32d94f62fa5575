"""tickets-db beside the real Supabase CLI (npm `supabase`, `db push` and `migration list` run
without Docker): one migration history, whichever CLI applied what."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tickets_db import db

from ..conftest import ROOT
from .test_cli import run

SUPABASE = ROOT / "node_modules" / ".bin" / "supabase"


@pytest.fixture
def scratch_url(scratch):
    return scratch()


def supabase(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(SUPABASE), *args], cwd=folder, capture_output=True, text=True, timeout=180)
    assert "panic" not in result.stderr, result.stderr
    return result


def supabase_project(tmp_path: Path, files: list[Path]) -> Path:
    folder = tmp_path / "sb"
    (folder / "supabase" / "migrations").mkdir(parents=True)
    for f in files:
        shutil.copy(f, folder / "supabase" / "migrations" / f.name)
    return folder


def listed(folder: Path, url: str) -> list[tuple[str, str]]:
    """`supabase migration list`: (local, remote) versions per row."""
    result = supabase(folder, "migration", "list", "--db-url", url)
    assert result.returncode == 0, result.stderr
    rows = []
    for line in result.stdout.splitlines():
        cells = [c.strip().strip("`") for c in line.split("|")]
        if len(cells) == 3 and cells[0][:1].isdigit() or len(cells) == 3 and cells[1][:1].isdigit():
            rows.append((cells[0], cells[1]))
    return rows


def test_supabase_pushes_then_tickets_db_migrates_then_both_agree(project_copy, scratch_url, cluster, tmp_path):
    with db.connection(cluster.url("template1")) as conn:
        db.create_database(conn, scratch_url.rsplit("/", 1)[1], template=cluster.ensure_platform_template())
    files = sorted((project_copy / "migrations").glob("*.sql"))
    folder = supabase_project(tmp_path, files[:3])  # the core and the support schema (its enum values a file of their own)
    pushed = supabase(folder, "db", "push", "--db-url", scratch_url, "--yes")
    assert pushed.returncode == 0 and "Finished supabase db push" in pushed.stdout + pushed.stderr, pushed.stderr
    migrated = run("--project-dir", str(project_copy), "--db-url", scratch_url, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert migrated.stdout.count("applied 20") == len(files) - 3  # what supabase pushed is not run again
    everything = supabase_project(tmp_path / "all", files)
    versions = [f.name.split("_", 1)[0] for f in files]
    assert listed(everything, scratch_url) == [(v, v) for v in versions]  # every one applied, as Supabase sees it
    again = supabase(everything, "db", "push", "--db-url", scratch_url, "--yes")
    assert again.returncode == 0 and "up to date" in (again.stdout + again.stderr).lower(), again.stdout + again.stderr


def test_tickets_db_migrates_then_supabase_has_nothing_to_push(project_copy, scratch_url, cluster, tmp_path):
    with db.connection(cluster.url("template1")) as conn:
        db.create_database(conn, scratch_url.rsplit("/", 1)[1], template=cluster.ensure_platform_template())
    assert run("--project-dir", str(project_copy), "--db-url", scratch_url, "migrate").returncode == 0
    files = sorted((project_copy / "migrations").glob("*.sql"))
    folder = supabase_project(tmp_path, files)
    assert listed(folder, scratch_url) == [(f.name.split("_", 1)[0],) * 2 for f in files]
    pushed = supabase(folder, "db", "push", "--db-url", scratch_url, "--yes")
    assert pushed.returncode == 0 and "up to date" in (pushed.stdout + pushed.stderr).lower(), pushed.stdout + pushed.stderr


def test_an_enum_value_added_and_used_is_two_files_supabase_pushes(project_copy, scratch_url, cluster, tmp_path):
    """`new` proves the change as one migration whose value adds commit first, and writes the
    value adds as a migration of their own: `supabase db push` runs each file in one transaction,
    where a value may not be used by the transaction that adds it."""
    with db.connection(cluster.url("template1")) as conn:
        db.create_database(conn, scratch_url.rsplit("/", 1)[1], template=cluster.ensure_platform_template())
    assert run("--project-dir", str(project_copy), "--db-url", scratch_url, "migrate").returncode == 0
    path = project_copy / "schema" / "tickets" / "support.yaml"
    text = path.read_text()
    assert "values: [open, closed, resolved, in_progress]" in text and "default: \"'open'\"" in text
    path.write_text(text.replace("values: [open, closed, resolved, in_progress]", "values: [open, closed, resolved, in_progress, new]")
                    .replace("default: \"'open'\"", "default: \"'new'\""))
    made = run("--project-dir", str(project_copy), "new", "triage")
    assert made.returncode == 0, made.stderr
    values, change = sorted((project_copy / "migrations").glob("*triage*.sql"))
    assert values.name.endswith("_triage-enum-values.sql") and change.name.endswith("_triage.sql") and values.name < change.name
    assert "add value" in values.read_text() and "add value" not in change.read_text() and "'new'" in change.read_text()
    folder = supabase_project(tmp_path, sorted((project_copy / "migrations").glob("*.sql")))
    pushed = supabase(folder, "db", "push", "--db-url", scratch_url, "--yes")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert "triage-enum-values.sql" in pushed.stdout + pushed.stderr and "_triage.sql" in pushed.stdout + pushed.stderr
    status = run("--project-dir", str(project_copy), "--db-url", scratch_url, "status")
    assert status.returncode == 0 and "pending" not in status.stdout  # what supabase pushed, tickets-db sees applied
    with db.connection(scratch_url) as conn:
        assert conn.execute("select column_default from information_schema.columns where table_name = 'tickets' and column_name = 'status'").fetchone()[0].startswith("'new'")


def test_every_committed_migration_pushes_with_the_supabase_cli(project_copy, scratch_url, cluster, tmp_path):
    """The project's own history as a Supabase project would deploy it: `supabase db push` runs
    every file (each in one transaction) on a fresh database, and tickets-db sees them applied."""
    with db.connection(cluster.url("template1")) as conn:
        db.create_database(conn, scratch_url.rsplit("/", 1)[1], template=cluster.ensure_platform_template())
    files = sorted((project_copy / "migrations").glob("*.sql"))
    pushed = supabase(supabase_project(tmp_path, files), "db", "push", "--db-url", scratch_url, "--yes")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    status = run("--project-dir", str(project_copy), "--db-url", scratch_url, "status")
    assert status.returncode == 0 and status.stdout.count("applied (by the Supabase CLI)") == len(files), status.stdout
