"""The commands as a user runs them: real `tickets-db` processes against a real server."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tickets_db import db
from tickets_db.localdb import Cluster

from ..conftest import ROOT, tool_env

COMMANDS = ["new", "diff", "reset", "seed", "migrate", "status", "typegen", "lint", "test", "sql", "policies", "check", "pull", "start", "stop"]


def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tickets_db", *args], capture_output=True, text=True, cwd=cwd or ROOT, env=env or tool_env(), timeout=300)


@pytest.fixture
def scratch_url(scratch):
    """A database name on the test server that the test may create; dropped afterwards."""
    return scratch()


def count(url: str, sql: str) -> int:
    with db.connection(url) as conn:
        return conn.execute(sql).fetchone()[0]


def alive(pid: int) -> bool:
    """Running, not merely a zombie waiting for a PID 1 that may never reap it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_help_documents_commands_and_exit_codes():
    result = run("--help")
    assert result.returncode == 0
    for command in COMMANDS:
        assert command in result.stdout
    assert "Exit codes" in result.stdout
    for command in COMMANDS:
        assert run(command, "--help").returncode == 0


def test_console_script_installed():
    exe = Path(sys.executable).parent / "tickets-db"
    result = subprocess.run([str(exe), "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "0.1.0"


def test_reset_of_a_url_needs_yes(scratch_url):
    result = run("--db-url", scratch_url, "reset")
    assert result.returncode == 2 and "--yes" in result.stderr
    assert "Traceback" not in result.stderr


def test_reset_then_status_on_a_url(project_copy, scratch_url):
    result = run("--project-dir", str(project_copy), "--db-url", scratch_url, "reset", "--yes")
    assert result.returncode == 0, result.stderr
    n = len(list(ROOT.glob("migrations/*.sql")))
    assert f"{n} migration(s), 1 seed file(s)" in result.stdout and "public" in result.stdout
    assert count(scratch_url, "select count(*) from public.tickets") == 5
    assert count(scratch_url, "select count(*) from tickets_db.migrations") == n
    status = run("--project-dir", str(project_copy), "--db-url", scratch_url, "status")
    assert status.returncode == 0 and status.stdout.count("│ applied │") == n and "pending" not in status.stdout


def test_reset_no_seed(project_copy, scratch_url):
    result = run("--project-dir", str(project_copy), "--db-url", scratch_url, "reset", "--yes", "--no-seed")
    assert result.returncode == 0, result.stderr
    assert count(scratch_url, "select count(*) from public.tickets") == 0


def test_migrate_a_plain_database(project_copy, scratch_url, cluster):
    with db.connection(cluster.url("template1")) as conn:
        db.create_database(conn, scratch_url.rsplit("/", 1)[1], template=cluster.ensure_platform_template())
    result = run("--project-dir", str(project_copy), "--db-url", scratch_url, "migrate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("applied 2026") == len(list(ROOT.glob("migrations/*.sql")))
    again = run("--project-dir", str(project_copy), "--db-url", scratch_url, "migrate")
    assert "(0 applied)" in again.stdout


def test_migrate_dry_run_prints_what_would_run_and_changes_nothing(project_copy, scratch_url, cluster):
    with db.connection(cluster.url("template1")) as conn:
        db.create_database(conn, scratch_url.rsplit("/", 1)[1], template=cluster.ensure_platform_template())
    files = sorted((project_copy / "migrations").glob("*.sql"))
    dry = run("--project-dir", str(project_copy), "--db-url", scratch_url, "migrate", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert [line.removeprefix("-- would apply ") for line in dry.stdout.splitlines() if line.startswith("-- would apply ")] == [f"migrations/{f.name}" for f in files]
    assert files[-1].read_text().strip() in dry.stdout and f"{len(files)} migration(s) would run" in dry.stdout
    assert count(scratch_url, "select count(*) from pg_namespace where nspname = 'tickets_db'") == 0  # not even the history table
    status = run("--project-dir", str(project_copy), "--db-url", scratch_url, "status", "--format", "json")
    assert status.returncode == 0, status.stderr
    assert {m["status"] for m in json.loads(status.stdout)["migrations"]} == {"pending"}
    assert run("--project-dir", str(project_copy), "--db-url", scratch_url, "migrate").returncode == 0
    after = json.loads(run("--project-dir", str(project_copy), "--db-url", scratch_url, "status", "--format", "json").stdout)
    assert [(m["name"], m["status"]) for m in after["migrations"]] == [(f.name.split("_", 1)[1].removesuffix(".sql"), "applied") for f in files]
    assert all(isinstance(m["duration_ms"], int) and m["applied_at"] for m in after["migrations"])


def test_piped_tables_are_never_cut(project_copy, scratch_url, cluster):
    """Not a terminal: whole names, however long, where rich would cut at 80 columns."""
    with db.connection(cluster.url("template1")) as conn:
        db.create_database(conn, scratch_url.rsplit("/", 1)[1], template=cluster.ensure_platform_template())
    long_name = "a_migration_whose_name_is_long_enough_to_overflow_any_eighty_column_table_by_itself"
    (project_copy / "migrations" / f"20991231000000_{long_name}.sql").write_text("select 1;\n")
    assert run("--project-dir", str(project_copy), "hash").returncode == 0
    status = run("--project-dir", str(project_copy), "--db-url", scratch_url, "status")
    assert long_name in status.stdout


def test_unreachable_database_hides_the_password(project_copy):
    result = run("--project-dir", str(project_copy), "--db-url", "postgresql://postgres:s3cret-pw@127.0.0.1:1/postgres", "migrate")
    assert result.returncode == 1
    assert "cannot connect" in result.stderr and "s3cret-pw" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_failing_seed_names_file_and_line_and_changes_nothing(project_copy, scratch_url):
    assert run("--project-dir", str(project_copy), "--db-url", scratch_url, "reset", "--yes", "--no-seed").returncode == 0
    (project_copy / "seeds" / "seed.sql").write_text("insert into public.plans values ('a', 'A', 1);\n\ninsert into public.plans values ('b', 'B', 'many');\n")
    result = run("--project-dir", str(project_copy), "--db-url", scratch_url, "seed")
    assert result.returncode == 1
    assert "seeds/seed.sql:3" in result.stderr and "invalid input syntax" in result.stderr
    assert count(scratch_url, "select count(*) from public.plans") == 0


def test_migration_edited_after_apply(project_copy, scratch_url):
    assert run("--project-dir", str(project_copy), "--db-url", scratch_url, "reset", "--yes", "--no-seed").returncode == 0
    core = next((project_copy / "migrations").glob("*_core.sql"))
    core.write_text(core.read_text() + "\n-- a late edit\n")
    result = run("--project-dir", str(project_copy), "--db-url", scratch_url, "migrate")
    assert result.returncode == 1 and "edited after it was applied" in result.stderr and core.name in result.stderr


def test_bad_yaml_is_one_error_and_writes_nothing(project_copy, scratch_url):
    before = sorted(p.name for p in (project_copy / "migrations").iterdir())
    path = project_copy / "schema" / "tickets" / "support.yaml"
    path.write_text(path.read_text().replace("      title: {type: varchar(255), not_null: true, grants: {authenticated: [update]}}", "      title: {type: varchar(255), notnull: true, grants: {authenticated: [update]}}"))
    result = run("--project-dir", str(project_copy), "--db-url", scratch_url, "new", "oops")
    assert result.returncode == 2
    assert "schema/tickets/support.yaml:" in result.stderr and "unknown key `notnull`" in result.stderr and "not_null" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in (project_copy / "migrations").iterdir()) == before


def test_new_without_changes_writes_nothing(project_copy, scratch_url):
    before = sorted(p.name for p in (project_copy / "migrations").iterdir())
    result = run("--project-dir", str(project_copy), "--db-url", scratch_url, "new", "nothing")
    assert result.returncode == 0 and "no changes" in result.stdout
    assert sorted(p.name for p in (project_copy / "migrations").iterdir()) == before


def test_new_generates_an_addition_that_check_accepts(project_copy, scratch_url):
    path = project_copy / "schema" / "tickets" / "support.yaml"
    path.write_text(path.read_text().replace("      closed_at: timestamptz\n", "      closed_at: timestamptz\n      sla_hours: {type: integer, not_null: true, default: \"24\", check: sla_hours > 0}\n"))
    result = run("--project-dir", str(project_copy), "--db-url", scratch_url, "new", "ticket sla")
    assert result.returncode == 0, result.stderr
    written = sorted((project_copy / "migrations").glob("*_ticket_sla.sql"))
    assert len(written) == 1
    assert "alter table public.tickets add column sla_hours integer not null default 24 check (sla_hours > 0);" in written[0].read_text()
    stale = run("--project-dir", str(project_copy), "--db-url", scratch_url, "check")
    assert stale.returncode == 1 and "models.py is stale" in stale.stderr and "migrations do not build" not in stale.stderr
    assert run("--project-dir", str(project_copy), "typegen").returncode == 0
    check = run("--project-dir", str(project_copy), "--db-url", scratch_url, "check")
    assert check.returncode == 0, check.stderr
    reset = run("--project-dir", str(project_copy), "--db-url", scratch_url, "reset", "--yes")
    assert reset.returncode == 0 and count(scratch_url, "select min(sla_hours) from public.tickets") == 24


def test_typegen_check_and_from_db(project_copy, scratch_url):
    models = project_copy / "src" / "tickets_db_models" / "models.py"
    assert run("--project-dir", str(project_copy), "typegen", "--check").returncode == 0
    path = project_copy / "schema" / "tickets" / "support.yaml"
    path.write_text(path.read_text().replace("      closed_at: timestamptz\n", "      closed_at: timestamptz\n      sla_hours: {type: integer, not_null: true, default: \"24\"}\n"))
    before = models.read_text()
    stale = run("--project-dir", str(project_copy), "typegen", "--check")
    assert stale.returncode == 1 and "models.py is stale" in stale.stderr and models.read_text() == before
    wrote = run("--project-dir", str(project_copy), "typegen")
    assert wrote.returncode == 0 and "wrote src/tickets_db_models/models.py" in wrote.stdout
    assert "    sla_hours: int\n" in models.read_text() and "    sla_hours: int | Unset = UNSET\n" in models.read_text()
    # the database built from the original migrations lacks the column: --from-db says stale
    assert run("--project-dir", str(project_copy), "--db-url", scratch_url, "reset", "--yes").returncode == 0
    from_db = run("--project-dir", str(project_copy), "--db-url", scratch_url, "typegen", "--from-db", "--check")
    assert from_db.returncode == 1 and "stale" in from_db.stderr
    out = project_copy / "from_db.py"
    assert run("--project-dir", str(project_copy), "--db-url", scratch_url, "typegen", "--from-db", "-o", str(out)).returncode == 0
    assert out.read_text() == before


def test_new_refuses_data_loss_without_the_flag(project_copy, scratch_url):
    path = project_copy / "schema" / "tickets" / "support.yaml"
    path.write_text(path.read_text().replace("      customer_email: {type: varchar(255), grants: {authenticated: [update]}}\n", ""))
    before = sorted(p.name for p in (project_copy / "migrations").iterdir())
    refused = run("--project-dir", str(project_copy), "--db-url", scratch_url, "new", "drop email")
    assert refused.returncode == 3
    assert "drop column public.tickets.customer_email" in refused.stderr and "--allow-data-loss" in refused.stderr
    assert sorted(p.name for p in (project_copy / "migrations").iterdir()) == before
    check = run("--project-dir", str(project_copy), "--db-url", scratch_url, "check")
    assert check.returncode == 1 and "drop column public.tickets.customer_email" in check.stderr
    allowed = run("--project-dir", str(project_copy), "--db-url", scratch_url, "new", "drop email", "--allow-data-loss")
    assert allowed.returncode == 0 and "deletes column customer_email" in allowed.stdout
    written = next((project_copy / "migrations").glob("*_drop_email.sql")).read_text()
    assert "-- hazard: deletes column customer_email and its values\nalter table public.tickets drop column customer_email;" in written


def test_new_refuses_removing_an_enum_value_with_a_recipe(project_copy, scratch_url):
    path = project_copy / "schema" / "tickets" / "support.yaml"
    path.write_text(path.read_text().replace("values: [open, closed, resolved, in_progress]", "values: [open, closed, resolved]"))
    result = run("--project-dir", str(project_copy), "--db-url", scratch_url, "new", "fewer statuses")
    assert result.returncode == 3
    assert "in_progress removed or renamed" in result.stderr and "rename value" in result.stderr and "Traceback" not in result.stderr


def test_a_rename_keeps_the_data(project_copy, scratch_url):
    """`renamed_from` renames the column: the tickets keep their titles under the new name."""
    assert run("--project-dir", str(project_copy), "--db-url", scratch_url, "reset", "--yes").returncode == 0
    titles = count(scratch_url, "select string_agg(title, '|' order by title) from public.tickets")
    path = project_copy / "schema" / "tickets" / "support.yaml"
    path.write_text(path.read_text().replace("      title: {type: varchar(255), not_null: true, grants: {authenticated: [update]}}", "      subject: {type: varchar(255), not_null: true, renamed_from: title, grants: {authenticated: [update]}}"))
    result = run("--project-dir", str(project_copy), "--db-url", scratch_url, "new", "subject")
    assert result.returncode == 0, result.stderr
    written = next((project_copy / "migrations").glob("*_subject.sql")).read_text()
    assert "alter table public.tickets rename column title to subject;" in written and "drop column" not in written
    assert run("--project-dir", str(project_copy), "--db-url", scratch_url, "migrate").returncode == 0
    assert count(scratch_url, "select string_agg(subject, '|' order by subject) from public.tickets") == titles


def test_diff_a_live_database(project_copy, scratch_url):
    assert run("--project-dir", str(project_copy), "--db-url", scratch_url, "reset", "--yes").returncode == 0
    same = run("--project-dir", str(project_copy), "--db-url", scratch_url, "diff")
    assert same.returncode == 0 and "no differences" in same.stdout
    path = project_copy / "schema" / "tickets" / "support.yaml"
    path.write_text(path.read_text().replace("      title: {type: varchar(255), not_null: true, grants: {authenticated: [update]}}", "      title: {type: varchar(300), not_null: true, grants: {authenticated: [update]}}"))
    differs = run("--project-dir", str(project_copy), "--db-url", scratch_url, "diff")
    assert differs.returncode == 1
    assert "alter column title type varchar(300);" in differs.stdout and "alter column public.tickets.title" in differs.stdout


def test_check_catches_a_hand_edited_migration(project_copy, scratch_url):
    core = next((project_copy / "migrations").glob("*_core.sql"))
    core.write_text(core.read_text() + "\n-- edited\n")
    result = run("--project-dir", str(project_copy), "--db-url", scratch_url, "check")
    assert result.returncode == 1 and "tickets-db.sum" in result.stderr


def test_new_empty(project_copy, scratch_url):
    result = run("--project-dir", str(project_copy), "--db-url", scratch_url, "new", "by hand", "--empty")
    assert result.returncode == 0
    assert len(list((project_copy / "migrations").glob("*_by_hand.sql"))) == 1


def test_local_database_start_stop(project_copy):
    (project_copy / "tickets-db.toml").write_text('local_dir = ".local-db"\n')
    try:
        first = run("--project-dir", str(project_copy), "start")
        assert first.returncode == 0 and first.stdout.startswith("started: postgresql://postgres@127.0.0.1:")
        assert run("--project-dir", str(project_copy), "start").stdout.startswith("already running")
        reset = run("--project-dir", str(project_copy), "reset")
        assert reset.returncode == 0 and "reset local database" in reset.stdout
        pid = int((Cluster(project_copy / ".local-db").data / "postmaster.pid").read_text().split()[0])
        assert run("--project-dir", str(project_copy), "stop").stdout.strip() == "stopped"
        assert not alive(pid)
        assert run("--project-dir", str(project_copy), "stop").stdout.strip() == "not running"
    finally:
        Cluster(project_copy / ".local-db").destroy()


def test_wheel_ships_templates(tmp_path):
    """A non-editable install must carry the templates and queries inside the package."""
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("tickets_db-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ["tickets_db/templates/migration.sql.j2", "tickets_db/kinds/tables/create_table.sql.j2", "tickets_db/templates/platform/supabase.sql", "tickets_db/kinds/tables/tables.sql", "tickets_db/kinds/depends.sql", "tickets_db/summary.sql", "tickets_db/introspect/queries/user_schemas.sql", "tickets_db/templates/project/tickets-db.toml", "tickets_db/keywords.txt"]:
        assert needed in names
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    probe = "import tickets_db.resources as r, tickets_db; print(r.templates_dir()); print(tickets_db.__file__)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env={**tool_env(), "PYTHONPATH": str(target)}, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == str(target / "tickets_db" / "templates")


def test_committed_migrations_build_the_project_yaml(cluster):
    """CI's guard that the generated files are current: `check` on the repository itself."""
    result = run("--project-dir", str(ROOT), "--db-url", cluster.url("postgres"), "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok:")


def test_new_shows_hazards(project_copy, scratch_url):
    path = project_copy / "schema" / "tickets" / "support.yaml"
    path.write_text(path.read_text().replace("      closed_at: timestamptz\n", "      closed_at: timestamptz\n      region: {type: text, not_null: true}\n"))
    result = run("--project-dir", str(project_copy), "--db-url", scratch_url, "new", "region")
    assert result.returncode == 0, result.stderr
    assert "fails if the table has rows" in result.stdout
    written = next((project_copy / "migrations").glob("*_region.sql")).read_text()
    assert "-- hazard: fails if the table has rows" in written


def test_sql_postgres_rejects_points_at_the_yaml(project_copy, scratch_url):
    path = project_copy / "schema" / "tickets" / "support.yaml"
    text = path.read_text().replace("using: public.has_role_on_account(account_id)\n", "using: public.has_role_on_account(account_id) +\n", 1)
    path.write_text(text)
    result = run("--project-dir", str(project_copy), "--db-url", scratch_url, "new", "broken")
    assert result.returncode == 2
    line = text.splitlines().index("      select_tickets:") + 1
    assert f"schema/tickets/support.yaml:{line}" in result.stderr and "syntax error" in result.stderr
    assert not list((project_copy / "migrations").glob("*_broken.sql"))


def test_json_schema_command():
    import json

    result = run("json-schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert "tables" in schema["properties"] and schema["additionalProperties"] is False


def test_successive_edits_through_the_remembered_template(project_copy, scratch_url):
    """`new` builds only what changed since the migrations' last known state; the result must
    be what a build from nothing gives: check (with the memory wiped) agrees, reset works."""
    path = project_copy / "schema" / "tickets" / "support.yaml"
    text = path.read_text()
    path.write_text(text.replace("      closed_at: timestamptz\n", "      closed_at: timestamptz\n      sla_hours: integer\n"))
    assert run("--project-dir", str(project_copy), "--db-url", scratch_url, "new", "sla").returncode == 0
    assert list((project_copy / ".tickets-db" / "cache").glob("template-*.pickle"))
    path.write_text(path.read_text().replace("      sla_hours: integer\n", "      sla_hours: {type: integer, not_null: true, default: \"48\"}\n")
                    .replace("using: \"true\"", "using: \"max_tickets <> 0\""))
    second = run("--project-dir", str(project_copy), "--db-url", scratch_url, "new", "sla default")
    assert second.returncode == 0, second.stderr
    written = next((project_copy / "migrations").glob("*_sla_default.sql")).read_text()
    assert "alter column sla_hours set default 48,\n  alter column sla_hours set not null;" in written
    assert "alter policy select_plans" in written and "create table" not in written
    assert run("--project-dir", str(project_copy), "typegen").returncode == 0
    shutil.rmtree(project_copy / ".tickets-db" / "cache")
    check = run("--project-dir", str(project_copy), "--db-url", scratch_url, "check")
    assert check.returncode == 0, check.stderr
    assert run("--project-dir", str(project_copy), "--db-url", scratch_url, "reset", "--yes").returncode == 0
    assert count(scratch_url, "select min(sla_hours) from public.tickets") == 48


def test_json_output_of_every_command_parses_with_its_keys(project_copy, scratch_url, tmp_path, cluster):
    """Also the cold `diff` (nothing remembered) of a database whose migrations removed platform
    default privileges: it built the read state on the template without removing them, and
    refused its own plan."""
    def as_json(*args: str, code: int = 0, url: str = scratch_url) -> object:
        result = run("--project-dir", str(project_copy), "--db-url", url, *args, "--format", "json")
        assert result.returncode == code, str(args) + result.stderr + result.stdout
        return json.loads(result.stdout)

    assert run("--project-dir", str(project_copy), "--db-url", scratch_url, "reset", "--yes").returncode == 0
    assert as_json("migrate") == {"target": as_json("status")["target"], "installed_stand_in": False, "warnings": [], "applied": []}
    assert as_json("migrate", "--dry-run")["would_apply"] == []
    same = as_json("diff")
    assert same["differs"] is False and same["changes"] == [] and same["sql"] is None
    assert as_json("check") == {"ok": True, "problems": []}
    matrix = as_json("policies")
    tickets = {(r["table"], r["command"]): r["roles"] for r in matrix}[("public.tickets", "select")]
    assert tickets["authenticated"]["verdict"] == "policies" and tickets["authenticated"]["policies"] == ["select_tickets"]
    assert tickets["anon"]["verdict"] == "no grant"
    tested = as_json("test", str(ROOT / "tests" / "database" / "00_rls.test.sql"), url=cluster.url("postgres", "supabase_admin"))  # pgTAP needs a superuser
    assert tested["passed"] is True and tested["files"][0]["tests"] > 0 and tested["files"][0]["failures"] == []
    pulled = as_json("pull", "--schema", "kit", "--out", str(tmp_path / "pulled"))
    assert "kit.yaml" in [f["file"].rsplit("/", 1)[-1] for f in pulled["files"]] and pulled["unsupported"] == []
    assert all(set(f) == {"file", "tables", "views", "functions", "policies", "triggers"} for f in pulled["files"])

    path = project_copy / "schema" / "tickets" / "support.yaml"
    path.write_text(path.read_text().replace("      closed_at: timestamptz\n", "      closed_at: timestamptz\n      sla_hours: integer\n"))
    differs = as_json("diff", code=1)
    assert differs["differs"] is True and differs["changes"][0]["change"] == "column public.tickets.sla_hours"
    assert "add column sla_hours integer" in differs["sql"] and differs["changes"][0]["origin"].startswith("schema/tickets/support.yaml:")
    failing = as_json("check", code=1)
    assert failing["ok"] is False and failing["problems"]


SUPABASE_HISTORY = """create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations (version text not null primary key, statements text[], name text)"""


def test_one_history_with_the_supabase_cli(project_copy, scratch_url, cluster):
    """A database `supabase db push` migrated (its history table, as that CLI makes it): what it
    applied counts as applied and is never run again; what tickets-db applies lands in both."""
    from tickets_db.migrations import list_migrations, parse
    from tickets_db.runner import run as run_statements

    with db.connection(cluster.url("template1")) as conn:
        db.create_database(conn, scratch_url.rsplit("/", 1)[1], template=cluster.ensure_platform_template())
    migrations = list_migrations(project_copy / "migrations")
    with db.connection(scratch_url) as conn:  # `supabase db push` of the first two files
        conn.execute(SUPABASE_HISTORY)
        for m in migrations[:2]:
            run_statements(conn, parse(m.path), str(m.path))
            conn.execute("insert into supabase_migrations.schema_migrations (version, name, statements) values (%s, %s, '{}')", (m.version, m.name))
    status = json.loads(run("--project-dir", str(project_copy), "--db-url", scratch_url, "status", "--format", "json").stdout)
    assert [m["status"] for m in status["migrations"]] == ["applied_by_supabase"] * 2 + ["pending"] * (len(migrations) - 2)
    done = run("--project-dir", str(project_copy), "--db-url", scratch_url, "migrate")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("applied 20") == len(migrations) - 2  # the first two are not run again
    with db.connection(scratch_url) as conn:
        ours = [r[0] for r in conn.execute("select version from tickets_db.migrations order by 1")]
        theirs = conn.execute("select version, name, cardinality(statements) > 0 from supabase_migrations.schema_migrations order by 1").fetchall()
    assert ours == [m.version for m in migrations]
    assert [(v, n) for v, n, _ in theirs] == [(m.version, m.name) for m in migrations]
    assert all(has for _, _, has in theirs[2:])  # what `supabase migration list` shows, with its statements
    again = json.loads(run("--project-dir", str(project_copy), "--db-url", scratch_url, "status", "--format", "json").stdout)
    assert {m["status"] for m in again["migrations"]} == {"applied"}


def test_baseline_marks_a_database_built_before_the_tool(project_copy, scratch_url, cluster):
    from tickets_db.migrations import list_migrations, parse
    from tickets_db.runner import run as run_statements

    with db.connection(cluster.url("template1")) as conn:
        db.create_database(conn, scratch_url.rsplit("/", 1)[1], template=cluster.ensure_platform_template())
    migrations = list_migrations(project_copy / "migrations")
    with db.connection(scratch_url) as conn:  # built by hand, no history at all
        for m in migrations[:3]:
            run_statements(conn, parse(m.path), str(m.path))
    unknown = run("--project-dir", str(project_copy), "--db-url", scratch_url, "migrate", "--baseline", "1999")
    assert unknown.returncode == 2 and "no migration has the version 1999" in unknown.stderr
    marked = run("--project-dir", str(project_copy), "--db-url", scratch_url, "migrate", "--baseline", migrations[2].version)
    assert marked.returncode == 0 and marked.stdout.count("(not run)") == 3, marked.stderr
    rest = run("--project-dir", str(project_copy), "--db-url", scratch_url, "migrate")
    assert rest.returncode == 0 and rest.stdout.count("applied 20") == len(migrations) - 3, rest.stderr
