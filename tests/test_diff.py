"""diff: additions become operations in dependency order; anything else is reported as
unsupported; an unchanged schema gives nothing, every time."""
from __future__ import annotations

from dataclasses import replace

import pytest

from tickets_db import db
from tickets_db.diff import diff
from tickets_db.introspect import Scope, introspect
from tickets_db.loader import load, load_files
from tickets_db.model import Catalog, Column, Policy, Rows
from tickets_db.kinds.enums import AddEnumValue
from tickets_db.kinds.policies import CreatePolicy
from tickets_db.kinds.rows import InsertRows
from tickets_db.kinds.tables import AddColumn, CreateTable
from tickets_db.planner import apply_catalog, apply_ops, function_keys

from .conftest import ROOT


def project():
    return load(ROOT / "schema", ROOT)


def test_first_migration_is_diff_from_empty():
    plan = diff(Catalog(), project())
    assert not plan.unsupported
    keys = [op.key for op in plan.ops]
    # a function before the policy that calls it, a table before the table that references it
    assert keys.index("function public.has_role_on_ticket_account(uuid)") < keys.index("policy public.messages.select_messages")
    assert keys.index("table public.tickets") < keys.index("table public.messages")
    assert keys.index("table public.roles") < keys.index("table public.role_permissions")
    assert keys.index("rows public.roles") < keys.index("rows public.role_permissions")
    assert not any(isinstance(op, AddEnumValue) for op in plan.ops)  # new enums carry all their values


def test_diff_is_deterministic():
    assert diff(Catalog(), project()).ops == diff(Catalog(), project()).ops


def test_additions_on_an_existing_catalog():
    cat = project()
    tickets = cat.table("public.tickets")
    grown = replace(tickets, columns=tickets.columns + (Column("sla_hours", "int"),), policies=tickets.policies + (Policy("p_new", "select", ("authenticated",), True, "true"),))
    desired = replace(cat, tables=tuple(grown if t.qualname == "public.tickets" else t for t in cat.tables))
    plan = diff(cat, desired)
    assert [type(op) for op in plan.ops] == [AddColumn, CreatePolicy] and not plan.unsupported


def test_changes_and_drops_become_operations_with_hazards():
    cat = project()
    tickets = cat.table("public.tickets")
    changed = replace(tickets, columns=tuple(replace(c, type="integer", using="length(title)") if c.name == "title" else c for c in tickets.columns))
    desired = replace(cat, tables=tuple(changed if t.qualname == "public.tickets" else t for t in cat.tables if t.qualname != "public.plans"))
    plan = diff(cat, desired)
    assert not plan.unsupported
    by_key = {op.key: op for op in plan.ops}
    title = by_key["alter column public.tickets.title"]
    assert title.type == "integer" and title.using == "length(title)" and "rewrites" in title.hazard
    assert by_key["drop table public.plans"].data_loss
    assert [op.key for op in plan.ops].index("drop table public.plans") == 0  # drops first


def test_no_changes_against_a_database_built_from_the_yaml(empty_db):
    """Idempotence through PostgreSQL: build from the YAML, introspect, diff again — nothing."""
    authored = project()
    scope = Scope.of(authored)
    with db.connection(empty_db) as conn:
        apply_catalog(conn, authored)
        first = introspect(conn, scope)
        second = introspect(conn, scope)
        keys = function_keys(conn, authored)
    assert first == second
    plan = diff(first, first, authored, keys)
    assert plan.empty, (plan.ops, plan.unsupported)


def test_support_schema_on_top_of_core():
    core = load_files(sorted([*(ROOT / "schema" / "core").glob("*.yaml"), ROOT / "schema" / "platform.yaml"]), ROOT)
    plan = diff(core, project())
    assert not plan.unsupported
    values = [(op.enum, op.value, op.before) for op in plan.ops if isinstance(op, AddEnumValue)]
    assert values == [("public.app_permissions", "tickets.update", None), ("public.app_permissions", "tickets.delete", None)]
    assert isinstance(plan.ops[0], AddEnumValue) and isinstance(plan.ops[1], AddEnumValue)
    rows = {op.rows.table: op.rows.values for op in plan.ops if isinstance(op, InsertRows)}
    assert rows == {"public.role_permissions": (("-1", "owner", "tickets.update"), ("-2", "owner", "tickets.delete")), "storage.buckets": (("attachments", "attachments", "false"),)}
    assert {op.table.qualname for op in plan.ops if isinstance(op, CreateTable)} == {"public.tickets", "public.messages", "public.plans"}


def test_widening_a_varchar_is_not_a_rewrite():
    from tickets_db.model import Catalog as C, Column as Col, Table as T

    def cat(typ: str) -> C:
        return C(tables=(T("public", "t", columns=(Col("a", typ),)),))

    assert diff(cat("character varying(10)"), cat("character varying(20)")).ops[0].hazard is None
    assert diff(cat("character varying(10)"), cat("text")).ops[0].hazard is None
    assert "rewrites" in diff(cat("character varying(20)"), cat("character varying(10)")).ops[0].hazard


def test_extensions_the_platform_installed_are_not_dropped():
    from tickets_db.kinds.common import Drop
    from tickets_db.model import Extension

    current = Catalog(extensions=(Extension("pgcrypto", "extensions"), Extension("citext", "app")))
    ops = diff(current, Catalog()).ops
    assert [op.key for op in ops if isinstance(op, Drop)] == ["drop extension citext"]


def test_a_real_cycle_is_a_refusal_naming_its_members(tmp_path):
    from tickets_db.errors import DependencyCycle

    (tmp_path / "s.yaml").write_text(
        "schemas: {app: {}}\n"
        "views:\n  app.v: {query: select app.f() as x}\n"
        "functions:\n  - {name: app.f, returns: integer, language: sql, body: select x from app.v}\n"
    )
    with pytest.raises(DependencyCycle) as info:
        diff(Catalog(), load_files([tmp_path / "s.yaml"], tmp_path))
    assert info.value.exit_code == 3 and "view app.v" in str(info.value) and "function app.f()" in str(info.value)


def test_generated_names_are_the_ones_postgresql_gives(empty_db):
    """Cut in bytes at a character boundary, as makeObjectName does (a 63-byte name of
    two-byte characters once came out 10 characters too long)."""
    from tickets_db.loader.names import default_constraint_name

    table, column = "é" * 31, "ü" * 31
    with db.connection(empty_db) as conn:
        conn.execute(f'create table "{table}" ("{column}" text check ("{column}" <> \'\'), "{"a" * 60}" int unique)')
        found = {r[0] for r in conn.execute("select conname from pg_constraint where conrelid = %s::regclass", (f'"{table}"',))}
    assert found == {default_constraint_name(table, "check", (column,)), default_constraint_name(table, "unique", ("a" * 60,))}


def test_rows_that_give_a_sequence_column_its_value_move_the_sequence_past_them(tmp_path, empty_db):
    """As pg_dump's setval does: reference rows with explicit ids, then an insert that draws an id
    from the sequence, must not collide; a sequence already further is never moved back."""
    (tmp_path / "s.yaml").write_text(
        "schemas:\n  app: {}\ntables:\n"
        "  app.kinds:\n    columns:\n      id: {type: bigint, identity: by default, primary_key: true}\n      name: {type: text, not_null: true, unique: true}\n"
        "    rows:\n      key: [name]\n      values:\n        - {id: 1, name: a}\n        - {id: 5, name: b}\n        - {id: -1, name: out of the way}\n"
        "  app.serials:\n    columns:\n      id: {type: serial, primary_key: true}\n      name: text\n"
        "    rows:\n      key: [id]\n      values:\n        - {id: 2, name: x}\n"
    )
    with db.connection(empty_db) as conn:
        apply_catalog(conn, load_files([tmp_path / "s.yaml"], tmp_path))
        assert conn.execute("insert into app.kinds (name) values ('next') returning id").fetchone()[0] == 6
        assert conn.execute("insert into app.serials (name) values ('next') returning id").fetchone()[0] == 3
        conn.execute("select setval('app.serials_id_seq', 100)")
        more = Rows("app.serials", ("id",), ("id", "name"), (("4", "y"),))
        apply_ops(conn, [InsertRows(rows=more, sequenced=("id",))])
        assert conn.execute("insert into app.serials (name) values ('later') returning id").fetchone()[0] == 101
