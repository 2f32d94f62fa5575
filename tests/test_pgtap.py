"""`tickets-db test`: the project's pgTAP suite passes on a fresh database; a broken policy makes
it fail, naming the assertion; TAP is parsed strictly (a short run is a failure)."""
from __future__ import annotations

from pathlib import Path

from tickets_db import pgtap
from tickets_db.config import load_project
from tickets_db.migrations import list_migrations
from tickets_db.target import Target

from .conftest import ROOT
from .e2e.test_cli import run as run_cli


def superuser_url(cluster) -> str:
    return cluster.url("postgres", "supabase_admin")


def test_parse_tap():
    planned, found = pgtap.parse_tap(["1..3", "ok 1 - a", "not ok 2 - b", "# Failed test 2: \"b\"", "#     have: 1", "ok 3"])
    assert planned == 3
    assert [(a.number, a.ok, a.description) for a in found] == [(1, True, "a"), (2, False, "b"), (3, True, "")]
    assert found[1].diagnostics == ('Failed test 2: "b"', "have: 1")


def test_a_short_run_or_no_assertion_fails():
    short = pgtap.FileResult(Path("x.test.sql"), 3, (pgtap.Assertion(1, True, "a"),))
    assert not short.passed and short.problem == "planned 3 tests but ran 1"
    assert not pgtap.FileResult(Path("x.test.sql"), None, ()).passed


def test_the_project_suite_passes(cluster):
    project = load_project(ROOT)
    target = Target(cluster.url("postgres"), False, project, cluster)
    results = pgtap.run(target, list_migrations(project.migrations_dir), pgtap.list_tests(project.tests_dir), project.root)
    assert len(results) >= 6
    failures = [(r.display, r.problem, [(a.description, a.diagnostics) for a in r.failed]) for r in results if not r.passed]
    assert failures == []
    assert sum(len(r.assertions) for r in results) >= 100


def test_a_broken_policy_fails_the_suite(project_copy, cluster):
    """A migration that opens the tickets to every signed-in user: the suite must say so."""
    (project_copy / "tests" / "database").mkdir(parents=True)
    for f in (ROOT / "tests" / "database").iterdir():
        (project_copy / "tests" / "database" / f.name).write_text(f.read_text())
    (project_copy / "migrations" / "20991231000000_oops.sql").write_text("alter policy select_tickets on public.tickets using (true);\n")
    url = superuser_url(cluster)
    result = run_cli("--project-dir", str(project_copy), "--db-url", url, "test")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "not ok" in result.stdout and "member: sees only their team's tickets" in result.stdout
    assert "not ok 1 tests/database/30_tickets.test.sql: member: sees only their team's tickets" in result.stdout
    assert "file(s) failed" in result.stdout.splitlines()[-1]


def test_a_sql_error_names_file_and_line(project_copy, cluster):
    tests = project_copy / "tests" / "database"
    tests.mkdir(parents=True)
    (tests / "broken.test.sql").write_text("begin;\nselect plan(1);\nselect ok(no_such_column, 'x') from public.tickets;\nrollback;\n")
    result = run_cli("--project-dir", str(project_copy), "--db-url", superuser_url(cluster), "test")
    assert result.returncode == 1
    assert "tests/database/broken.test.sql:3" in result.stdout and "no_such_column" in result.stdout
