"""The planner's shortcut: the YAML as PostgreSQL stores it, learned by patching the migrated
template inside a rolled-back transaction, must be what a build from nothing gives."""
from __future__ import annotations

import pytest

from tickets_db import db, planner
from tickets_db.diff import diff
from tickets_db.config import load_project
from tickets_db.diff.normalize import _signature_type, default, type_name
from tickets_db.introspect import Scope, introspect
from tickets_db.loader import load
from tickets_db.migrations import list_migrations
from tickets_db.target import Target



@pytest.mark.parametrize("edit", ["none", "add a column", "change a policy and a function", "rename a column"])
def test_patched_template_equals_a_fresh_build(cluster, project_copy, edit):
    path = project_copy / "schema" / "tickets" / "support.yaml"
    text = path.read_text()
    if edit == "add a column":
        text = text.replace("      closed_at: timestamptz\n", "      closed_at: timestamptz\n      sla_hours: {type: int, not_null: true, default: \"24\"}\n")
    elif edit == "change a policy and a function":
        text = text.replace('using: "true"', 'using: "max_tickets <> 0"').replace("returns: int\n", "returns: bigint\n")
    elif edit == "rename a column":
        text = text.replace("      title: {type: varchar(255), not_null: true, grants: {authenticated: [update]}}", "      subject: {type: varchar(255), not_null: true, renamed_from: title, grants: {authenticated: [update]}}")
    path.write_text(text)
    project = load_project(project_copy)
    target = Target(cluster.url("postgres"), False, project)
    authored = load(project.schema_dir, project.root)
    scope = Scope.of(authored)
    template = target.migrated_template(list_migrations(project.migrations_dir))
    with db.connection(target.url_for(template)) as conn:
        current = introspect(conn, scope)
    patched, keys, ran = planner._desired(target, template, authored, scope, None, current)
    fresh, fresh_keys = planner.desired_catalog(target, authored, scope)
    assert keys == fresh_keys
    assert diff(fresh, patched, authored, keys).empty and diff(patched, fresh, authored, keys).empty
    assert ran is not None or edit == "none"  # every edit here is a patch the runner can run
    if ran is not None:
        # The shortcut `new` takes when the migration has the patch's statements: what the patch
        # built stands for the proof. It must be what the same statements give on a clone.
        with target.shadow(template) as url, db.connection(url) as conn:
            for statement in ran.statements:
                conn.execute(statement)
            cloned = introspect(conn, scope)
        assert diff(cloned, ran.result, authored, keys).empty and diff(ran.result, cloned, authored, keys).empty
        assert cloned.depends == ran.result.depends


@pytest.mark.parametrize("written, printed", [
    ("int", "integer"), ("varchar(50)", "character varying(50)"), ("varchar(50)[]", "character varying(50)[]"),
    ("timestamptz", "timestamp with time zone"), ("timestamptz(3)", "timestamp(3) with time zone"), ("bool", "boolean"),
    ("public.ticket_status", "public.ticket_status"), ("numeric(12,2)", "numeric(12,2)"),
])
def test_type_spelling(written, printed):
    assert type_name(written) == printed


@pytest.mark.parametrize("written, stored", [
    ("varchar(50)", "character varying"), ("int", "integer"), ("timestamptz(3)", "timestamp with time zone"),
    ("numeric(12,2)[]", "numeric[]"), ("public.subscription_status", "public.subscription_status"), ("setof text", "setof text"),
])
def test_function_signature_spelling(written, stored):
    """A function keeps its argument and result types without modifiers."""
    assert _signature_type(written) == stored


def test_the_first_patch_leaves_the_projects_functions_alone(migrated_db, project):
    """Nothing remembered: the patch that builds the YAML on the migrated state re-creates only
    what the YAML's spelling cannot tell is there; `varchar(50)` in a signature is not such a
    thing, so no function (and no policy or view that depends on one) is dropped."""
    authored = load(project.schema_dir, project.root)
    with db.connection(migrated_db) as conn:
        current = introspect(conn, Scope.of(authored))
    patch = planner._spelling_patch(current, authored)
    assert not [op.key for op in patch.ops if op.key.startswith(("drop function", "drop policy"))]
    assert patch.ops  # policies' expressions are PostgreSQL's to print: altered, not dropped


def test_default_spelling():
    assert default("'open'", "public.ticket_status") == "'open'::public.ticket_status"
    assert default("'general'", "character varying(100)") == "'general'::character varying"
    assert default("current_timestamp", "timestamp with time zone") == "CURRENT_TIMESTAMP"
    assert default("now()", "timestamp with time zone") == "now()"


def test_a_new_template_replaces_the_older_ones(cluster, project_copy):
    """Templates are named by the migrations' checksums: when a migration is added, the
    project's older migrated template, and the pgTAP template built on it, are dropped."""
    from tickets_db import pgtap

    project = load_project(project_copy)
    target = Target(cluster.url("postgres"), False, project, cluster)
    first = target.migrated_template(list_migrations(project.migrations_dir))
    tap = pgtap.test_template(target, list_migrations(project.migrations_dir))
    (project_copy / "migrations" / "20991231000000_more.sql").write_text("create table public.more (id int);\n")
    second = target.migrated_template(list_migrations(project.migrations_dir))
    with db.connection(cluster.url("template1")) as conn:
        names = {r[0] for r in conn.execute("select datname from pg_database")}
    assert second in names and first not in names and tap not in names


@pytest.mark.parametrize("drift", [False, True])
def test_live_diff_after_check_learned_the_migrations_state(cluster, project_copy, migrated_db, drift):
    """`diff` reuses what `check` learned of the migrations' state only when the live database
    reads exactly as that state: the plan is the YAML's edit, plus, on a database someone
    changed by hand, the repair of that change."""
    project = load_project(project_copy)
    local = Target(cluster.url("postgres"), False, project)
    assert planner.check(project, local) == []
    assert list((project.local_dir / "cache").glob("template-*.pickle"))  # what check learned
    path = project_copy / "schema" / "tickets" / "support.yaml"
    path.write_text(path.read_text().replace("      closed_at: timestamptz\n", "      closed_at: timestamptz\n      sla_hours: integer\n"))
    if drift:
        with db.connection(migrated_db) as conn:
            conn.execute("drop policy select_tickets on public.tickets")
    plan = planner.live_diff(project, Target(migrated_db, False, project)).plan
    expected = {"column public.tickets.sla_hours"} | ({"policy public.tickets.select_tickets"} if drift else set())
    assert {op.key for op in plan.ops} == expected
