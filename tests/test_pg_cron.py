"""pg_cron in the stand-in, as hosted Supabase offers it: a project's migration creates it (the
platform runs that as a superuser and grants `postgres` the rest), then schedules jobs; a
migration that uses it without creating it fails as it would on a project that never enabled it.
Real pg_cron, loaded by the test server (CI installs the package)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tickets_db import db, platform
from tickets_db.config import load_project
from tickets_db.errors import MigrationError
from tickets_db.inplace import footprint_of, read_state
from tickets_db.localdb import pg_cron_installed
from tickets_db.migrations import list_migrations
from tickets_db.runner import migrate
from tickets_db.target import Target

from .conftest import clone

pytestmark = pytest.mark.skipif(not pg_cron_installed(), reason="PostgreSQL's pg_cron package is not installed")

SCHEDULE = "select cron.schedule('purge-events', '0 3 * * *', $$delete from public.events where at < now() - interval '30 days'$$);\n"
EVENTS = "create table public.events (id bigint generated always as identity primary key, at timestamptz not null default now());\n"


def folder(tmp_path: Path, *files: str) -> Path:
    directory = tmp_path / "migrations"
    directory.mkdir()
    for i, text in enumerate(files):
        (directory / f"2026010100000{i}_step{i}.sql").write_text(text)
    return directory


def apply(url: str, directory: Path) -> None:
    with db.connection(url) as conn:
        migrate(conn, list_migrations(directory), directory.parent)


@pytest.fixture
def offered(cluster):
    """A database of the template of a project that names pg_cron: offered, not created."""
    assert cluster.pg_cron
    with clone(cluster, cluster.ensure_platform_template(pg_cron=True)) as url:
        yield url


def test_a_migration_creates_pg_cron_and_schedules_a_job(offered, tmp_path):
    apply(offered, folder(tmp_path, "create extension if not exists pg_cron with schema pg_catalog;\ngrant usage on schema cron to postgres;\n" + EVENTS + SCHEDULE))
    with db.connection(offered) as conn:
        assert conn.execute("select jobname, schedule, username from cron.job").fetchall() == [("purge-events", "0 3 * * *", "postgres")]
        assert conn.execute("select extname from pg_extension where extname = 'pg_cron'").fetchone() == ("pg_cron",)
        # what Supabase grants after creating it: postgres may pass the schema on
        assert conn.execute("select has_schema_privilege('postgres', 'cron', 'usage with grant option')").fetchone() == (True,)
        assert not platform.unclaimed_pg_cron(conn)


def test_creating_it_as_supabase_projects_write_it(offered, tmp_path):
    """Quoted, capitalised, commented, in the `extensions` schema: the forms real migrations use."""
    apply(offered, folder(tmp_path, 'CREATE /* jobs */ EXTENSION IF NOT EXISTS "pg_cron" WITH SCHEMA "extensions";\n' + EVENTS + SCHEDULE))
    with db.connection(offered) as conn:
        assert conn.execute("select count(*) from cron.job").fetchone() == (1,)


def test_using_it_without_creating_it_fails_as_on_supabase(offered, tmp_path):
    with pytest.raises(MigrationError) as e:
        apply(offered, folder(tmp_path, EVENTS + SCHEDULE))
    assert "permission denied for schema cron" in e.value.message and e.value.line == 2


def test_creating_it_twice_fails_as_postgresql_does(offered, cluster, tmp_path):
    with pytest.raises(MigrationError) as e:
        apply(offered, folder(tmp_path, "create extension pg_cron;\n", "create extension pg_cron;\n"))
    assert 'extension "pg_cron" already exists' in e.value.message and "postgresql-15-cron" not in (e.value.hint or "")
    (tmp_path / "again").mkdir()
    with clone(cluster, cluster.ensure_platform_template(pg_cron=True)) as url:
        apply(url, folder(tmp_path / "again", "create extension pg_cron;\n", "create extension if not exists pg_cron;\n"))


def test_a_schema_that_does_not_exist_is_refused(offered, tmp_path):
    with pytest.raises(MigrationError) as e:
        apply(offered, folder(tmp_path, "select 1;\ncreate extension pg_cron with schema nowhere;\n"))
    assert e.value.message == 'schema "nowhere" does not exist' and e.value.line == 2
    with db.connection(offered) as conn:
        assert platform.unclaimed_pg_cron(conn)  # the failed migration took nothing


def test_a_database_without_pg_cron_to_take_says_how_to_get_it(cluster, tmp_path):
    """The plain stand-in: no pg_cron placed, and `postgres` may not create it (it is not a
    trusted extension) — as on a server without the package or one that does not load it."""
    with clone(cluster, platform.template_name()) as url:
        with pytest.raises(MigrationError) as e:
            apply(url, folder(tmp_path, "create extension if not exists pg_cron;\n"))
    assert "postgresql-15-cron" in (e.value.hint or "") and "tickets-db stop" in (e.value.hint or "")


def test_an_in_place_reset_counts_pg_cron_as_the_projects(offered, cluster, tmp_path):
    """Built by the migrations, pg_cron is the project's footprint (a hosted in-place reset drops it
    before the migration creates it again); only offered, it is not."""
    with clone(cluster, cluster.ensure_platform_template(pg_cron=True)) as stand_in, db.connection(stand_in) as conn:
        before = read_state(conn)
    assert "pg_cron" not in before.extensions
    apply(offered, folder(tmp_path, "create extension if not exists pg_cron;\n"))
    with db.connection(offered) as conn:
        assert "pg_cron" in footprint_of(before, read_state(conn)).extensions


@pytest.mark.parametrize("text, expected", [
    ("create extension pg_cron", ("pg_cron", None)),
    ('CREATE EXTENSION IF NOT EXISTS "pg_cron" WITH SCHEMA "My Schema" CASCADE', ("pg_cron", "My Schema")),
    ("create -- a comment\n extension pg_cron schema pg_catalog version '1.4-1'", ("pg_cron", "pg_catalog")),
    ("create extension pg_crontab", ("pg_crontab", None)),
    ('create extension "PG_CRON"', ("PG_CRON", None)),
    ("select 'create extension pg_cron'", None),
    ("create extension", None),
])
def test_the_statement_is_read_as_postgresql_reads_it(text, expected):
    assert platform.created_extension(text) == expected


def project_naming(tmp_path: Path, cluster, where: str, text: str) -> Target:
    """A project whose file `where` (under its folder) holds `text`, beside a plain migration."""
    folder = tmp_path / where.replace("/", "_")
    (folder / "migrations").mkdir(parents=True)
    (folder / "tickets-db.toml").write_text("")
    (folder / "migrations" / "20260101000000_first.sql").write_text(EVENTS)
    (folder / where).parent.mkdir(parents=True, exist_ok=True)
    (folder / where).write_text(text)
    return Target(cluster.url(), True, load_project(folder), cluster)


def test_a_project_that_does_not_name_pg_cron_never_holds_it(cluster, tmp_path):
    """Its databases dump as before (an offered pg_cron breaks `pg_dump` as `postgres`)."""
    plain = project_naming(tmp_path, cluster, "seeds/seed.sql", "insert into public.events default values;\n").platform_template()
    with clone(cluster, plain) as url, db.connection(url) as conn:
        assert conn.execute("select count(*) from pg_extension where extname = 'pg_cron'").fetchone() == (0,)


@pytest.mark.parametrize("where, text", [
    ("migrations/20260102000000_jobs.sql", "create extension pg_cron;\n"),
    ("seeds/seed.sql", "select cron.schedule('nightly', '0 3 * * *', 'select 1'); -- pg_cron, enabled on the dashboard\n"),
    ("schema/platform.yaml", "extensions:\n  pg_cron: {schema: pg_catalog, external: true}\n"),
])
def test_a_project_naming_pg_cron_anywhere_gets_it_offered(cluster, tmp_path, where, text):
    offering = project_naming(tmp_path, cluster, where, text).platform_template()
    with clone(cluster, offering) as url, db.connection(url) as conn:
        assert platform.unclaimed_pg_cron(conn)
