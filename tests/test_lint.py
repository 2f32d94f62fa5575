"""lint: each rule fires on a minimal bad schema (and only that rule), stays silent on the
project (YAML and live database), and exceptions must be justified in the YAML."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tickets_db import db
from tickets_db.config import load_project
from tickets_db.errors import SchemaError
from tickets_db.lint import ignores, lint, rule_table
from tickets_db.lint.project import run
from tickets_db.lint.migrations import BIG_TABLE_ROWS, hazards
from tickets_db.loader import load_files
from tickets_db.migrations import list_migrations
from tickets_db.target import Target

from .conftest import ROOT
from .e2e.test_cli import run as run_cli

BASE = """
schemas:
  public: {external: true}
  auth: {external: true}
tables:
  auth.users: {external: true, columns: {id: uuid}}
  public.good:
    columns:
      id: {type: uuid, primary_key: true}
      name: varchar(50)
    rls: true
    grants: {authenticated: [select]}
    policies:
      own: {command: select, roles: [authenticated], using: "(select auth.uid()) = id"}
functions:
  - {name: auth.uid, returns: uuid, external: true}
  - {name: auth.jwt, returns: jsonb, external: true}
"""

TABLE = "tables:\n  public.t:\n    columns:\n      id: {type: int, primary_key: true}\n"
SECURED = TABLE + "    rls: true\n    policies:\n      p: {command: select, roles: [authenticated], using: \"(select auth.uid()) is not null\"}\n"

CASES = {
    "rls_disabled_in_exposed": TABLE,
    "rls_enabled_no_policy": TABLE + "    rls: true\n",
    # in a schema the API cannot reach, so that only this rule applies
    "policy_exists_rls_disabled": "schemas:\n  private: {}\n" + TABLE.replace("public.t", "private.t") + "    policies:\n      p: {command: select, using: \"true\"}\n",
    "function_search_path_mutable": "functions:\n  - {name: public.f, returns: int, language: sql, body: select 1}\n",
    "security_definer_executable_by_anon": "functions:\n  - {name: public.f, returns: int, language: sql, security: definer, set: {search_path: ''}, execute: [public], body: select 1}\n",
    "auth_rls_initplan": TABLE + "    rls: true\n    policies:\n      p: {command: select, roles: [authenticated], using: \"auth.uid() is not null\"}\n",
    "multiple_permissive_policies": SECURED + "      q: {command: all, roles: [authenticated], using: \"(select auth.uid()) is not null\"}\n",
    "unindexed_foreign_keys": SECURED.replace("      id: {type: int, primary_key: true}\n", "      id: {type: int, primary_key: true}\n      good_id: {type: uuid, references: public.good(id)}\n"),
    "duplicate_index": SECURED + "    indexes:\n      a: {columns: [id]}\n",
    "unbounded_text_in_exposed": SECURED.replace("      id: {type: int, primary_key: true}\n", "      id: {type: int, primary_key: true}\n      note: text\n"),
    "grants_to_anon": SECURED + "    grants: {anon: [select]}\n",
    "no_primary_key": SECURED.replace("{type: int, primary_key: true}", "{type: int, not_null: true}"),
    "rls_policy_always_true": SECURED + "      w: {command: insert, roles: [authenticated], with_check: \"true\"}\n",
    "rls_references_user_metadata": SECURED.replace("\"(select auth.uid()) is not null\"", "\"(select auth.jwt() -> 'user_metadata' ->> 'role') = 'admin'\""),
    "security_definer_view": "views:\n  public.v:\n    query: select id from public.good\n",
    "materialized_view_in_api": "views:\n  public.v:\n    query: select id from public.good\n    materialized: true\n    grants: {authenticated: [select]}\n",
}


def catalog(tmp_path: Path, extra: str = ""):
    (tmp_path / "base.yaml").write_text(textwrap.dedent(BASE))
    files = [tmp_path / "base.yaml"]
    if extra:
        (tmp_path / "extra.yaml").write_text(extra)
        files.append(tmp_path / "extra.yaml")
    return load_files(files, tmp_path)


def test_the_base_schema_is_clean(tmp_path):
    assert lint(catalog(tmp_path)) == []


def test_every_model_rule_has_a_case():
    model_rules = {r[0] for r in rule_table() if not r[0].startswith("migration_") and r[0] != "plpgsql_check"}
    assert model_rules == set(CASES)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_fires_alone_on_a_minimal_bad_schema(tmp_path, rule):
    findings = lint(catalog(tmp_path, CASES[rule]))
    assert {f.rule for f in findings} == {rule}
    f = findings[0]
    assert f.object and f.hint and ": " in f.message and f.origin and f.origin.startswith("extra.yaml:")


def test_lint_ignore_excuses_with_a_reason(tmp_path):
    bad = CASES["no_primary_key"].replace("  public.t:\n", "  public.t:\n    lint_ignore: {no_primary_key: \"a log table, read in bulk\"}\n")
    cat = catalog(tmp_path, bad)
    assert ignores(cat) == {("table public.t", "no_primary_key"): "a log table, read in bulk"}
    assert lint(cat, ignores(cat)) == []


def test_lint_ignore_of_an_unknown_rule_is_an_error(tmp_path):
    bad = CASES["no_primary_key"].replace("  public.t:\n", "  public.t:\n    lint_ignore: {no_primary_keys: typo}\n")
    with pytest.raises(SchemaError) as info:
        catalog(tmp_path, bad)
    assert info.value.line == 3 and "did you mean `no_primary_key`" in (info.value.hint or "")


def test_the_project_lints_clean_from_the_yaml_and_from_the_database(seeded_db):
    project = load_project(ROOT)
    assert run(project) == []
    assert run(project, Target(seeded_db, False, project)) == []


def test_readme_documents_every_rule():
    readme = (ROOT / "README.md").read_text()
    for rule_id, severity, *_ in rule_table():
        assert f"| `{rule_id}` | {severity} |" in readme, rule_id


def test_pending_migration_hazards_against_real_rows(project_copy, migrated_db):
    """NOT NULL without default on a table with rows is an error; a plain index on a big table
    a warning; both name the migration file and line."""
    with db.connection(migrated_db) as conn:
        conn.execute("insert into public.plans values ('p1', 'P', 1)")
        conn.execute(f"create table public.big as select g as id from generate_series(1, {BIG_TABLE_ROWS}) g")
        conn.execute("analyze public.big")
        (project_copy / "migrations" / "20990101000000_risky.sql").write_text(
            "alter table public.plans add column tier integer not null;\n\ncreate index ix_big on public.big (id);\n"
            "alter table public.plans add column note text not null default '';\n"
        )
        found = hazards(conn, list_migrations(project_copy / "migrations"), project_copy)
    assert [(f.rule, f.severity, f.origin) for f in found] == [
        ("migration_not_null_without_default", "error", "migrations/20990101000000_risky.sql:1"),
        ("migration_index_without_concurrently", "warning", "migrations/20990101000000_risky.sql:3"),
    ]


def test_cli_json_and_exit_code(project_copy):
    path = project_copy / "schema" / "tickets" / "support.yaml"
    path.write_text(path.read_text().replace("    rls: true\n", "", 1))  # the tickets table loses RLS
    result = run_cli("--project-dir", str(project_copy), "lint", "--format", "json")
    assert result.returncode == 1
    findings = json.loads(result.stdout)
    assert {"rule": "policy_exists_rls_disabled", "severity": "error", "object": "table public.tickets"}.items() <= findings[0].items()
    clean = run_cli("--project-dir", str(ROOT), "lint")
    assert clean.returncode == 0 and "no findings" in clean.stdout


def test_plpgsql_check_finds_the_course_ambiguity(cluster):
    """The course's check_ticket_limit selects the column max_tickets into a variable of the
    same name: PostgreSQL accepts the function and fails only when a paid plan runs the branch.
    plpgsql_check says so before anyone calls it — and finds nothing in the project's bodies."""
    from tickets_db.config import database_of
    from tickets_db.lint.bodies import check_database
    from tickets_db.runner import migrate

    from .conftest import clone
    from .test_course_catalog import apply_course, not_the_course

    with clone(cluster, cluster.ensure_platform_template()) as url:
        with db.connection(url) as conn:
            migrate(conn, not_the_course())
        apply_course(url)
        with db.connection(cluster.url(database_of(url), "supabase_admin")) as conn:
            found = check_database(conn, ["public", "kit"])
    ambiguous = {f.object for f in found if "ambiguous" in f.message}
    assert ambiguous == {"function check_ticket_limit()", "function get_remaining_tickets(uuid)"}
    assert all(f.rule == "plpgsql_check" and f.severity == "error" and "line" in f.message for f in found if f.object in ambiguous)


def test_the_project_bodies_are_clean(cluster):
    project = load_project(ROOT)
    assert run(project, bodies=Target(cluster.url("postgres"), False, project, cluster)) == []
