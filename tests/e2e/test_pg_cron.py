"""A project that schedules jobs with pg_cron, as its owner works on it: the local database (its
own cluster, loading pg_cron as hosted Supabase does) is reset from the migrations, pgTAP sees the
job, `pull` adopts it, and `new` proves a change on top."""
from __future__ import annotations

from pathlib import Path

import pytest

from tickets_db import db
from tickets_db.localdb import Cluster, pg_cron_installed

from ..conftest import stop_local
from ..test_pg_cron import EVENTS, SCHEDULE
from .test_cli import run

pytestmark = pytest.mark.skipif(not pg_cron_installed(), reason="PostgreSQL's pg_cron package is not installed")

MIGRATION = "create extension if not exists pg_cron with schema pg_catalog;\ngrant usage on schema cron to postgres;\n" + EVENTS + SCHEDULE
TEST = """\
select plan(2);
select has_extension('pg_cron');
select is((select command from cron.job where jobname = 'purge-events'),
  'delete from public.events where at < now() - interval ''30 days''', 'the purge is scheduled');
select * from finish();
"""


@pytest.fixture
def project(tmp_path: Path):
    folder = tmp_path / "jobs"
    folder.mkdir()
    assert run("--project-dir", str(folder), "init").returncode == 0
    (folder / "migrations" / "20260101000000_purge.sql").write_text(MIGRATION)
    (folder / "tests" / "database").mkdir(parents=True)
    (folder / "tests" / "database" / "purge.test.sql").write_text(TEST)
    assert run("--project-dir", str(folder), "hash").returncode == 0
    yield folder
    stop_local(folder)


def tdb(project: Path, *args: str):
    return run("--project-dir", str(project), *args)


def test_reset_test_pull_and_new(project):
    reset = tdb(project, "reset", "--yes")
    assert reset.returncode == 0, reset.stderr
    with db.connection(Cluster(project / ".tickets-db").url()) as conn:
        assert conn.execute("select jobname from cron.job").fetchall() == [("purge-events",)]
    tested = tdb(project, "test")
    assert tested.returncode == 0 and "all passed" in tested.stdout, tested.stdout + tested.stderr

    pulled = tdb(project, "pull", "--out", str(project / "schema"))
    assert pulled.returncode == 0, pulled.stderr
    assert "pg_cron: {schema: pg_catalog, external: true}" in (project / "schema" / "pg_catalog.yaml").read_text()
    assert tdb(project, "diff").stdout.startswith("no differences")

    public = project / "schema" / "public.yaml"
    public.write_text(public.read_text().replace("      at: {type: timestamptz, not_null: true, default: now()}\n",
                                                 "      at: {type: timestamptz, not_null: true, default: now()}\n      kind: {type: text}\n"))
    made = tdb(project, "new", "add_kind")
    assert made.returncode == 0, made.stdout + made.stderr
    written = sorted((project / "migrations").glob("*_add_kind.sql"))
    assert len(written) == 1 and "add column kind text" in written[0].read_text().lower()
    assert "cron" not in written[0].read_text()
    assert tdb(project, "migrate").returncode == 0
    assert tdb(project, "diff").stdout.startswith("no differences")
