"""The YAML language: the project loads, and each kind of bad input is one clear error naming
the file, the line and the key, with a hint."""
from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

from tickets_db.errors import SchemaError
from tickets_db.loader import body_source, body_text, load, load_files
from tickets_db.loader.names import default_constraint_name
from tickets_db.loader.spec import json_schema
from tickets_db.textfile import NotUtf8

from .conftest import ROOT

BASE = """
schemas:
  public: {external: true}
  auth: {external: true}
tables:
  auth.users:
    external: true
    columns: {id: uuid}
  public.accounts:
    columns:
      id: {type: uuid, primary_key: true}
"""


def load_text(tmp_path: Path, text: str, name: str = "s.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return load_files(sorted(tmp_path.glob("*.yaml")), tmp_path)


def error(tmp_path: Path, text: str) -> SchemaError:
    with pytest.raises(SchemaError) as info:
        load_text(tmp_path, text)
    return info.value


def test_project_schema_loads():
    catalog = load(ROOT / "schema", ROOT)
    tickets = catalog.table("public.tickets")
    assert [c.name for c in tickets.columns][:3] == ["id", "account_id", "title"]
    assert {p.name for p in tickets.policies} == {"select_tickets", "delete_tickets", "update_tickets"}
    assert catalog.enum("public.app_permissions").values[-2:] == ("tickets.update", "tickets.delete")
    fk = next(k for k in tickets.constraints if k.name == "tickets_account_id_fkey")
    assert (fk.ref_table, fk.ref_columns, fk.on_delete) == ("public.accounts", ("id",), "cascade")


def test_malformed_yaml(tmp_path):
    e = error(tmp_path, "tables:\n  public.x:\n    columns: [a\n")
    assert e.file == "s.yaml" and e.line is not None and "malformed YAML" in e.message


def test_unknown_key_with_suggestion(tmp_path):
    e = error(tmp_path, BASE + "      name: {type: text, not_nul: true}\n")
    assert (e.line, e.key) == (12, "tables.public.accounts.columns.name.not_nul")
    assert "unknown key" in e.message and "not_null" in e.hint


def test_wrong_value_type(tmp_path):
    e = error(tmp_path, BASE + "    rls: yes please\n")
    assert e.key == "tables.public.accounts.rls" and "true or false" in e.message


def test_reference_to_missing_table(tmp_path):
    e = error(tmp_path, BASE + "      owner: {type: uuid, references: public.acounts(id)}\n")
    assert "unknown table `public.acounts`" in e.message and "public.accounts" in e.hint


def test_reference_to_missing_column(tmp_path):
    e = error(tmp_path, BASE + "      owner: {type: uuid, references: public.accounts(uid)}\n")
    assert "column `uid` does not exist in public.accounts" in e.message


def test_index_on_missing_column(tmp_path):
    e = error(tmp_path, BASE + "    indexes:\n      ix: {columns: [nme]}\n")
    assert "column `nme`" in e.message


def test_policy_calling_missing_function(tmp_path):
    e = error(tmp_path, BASE + "    policies:\n      p: {command: select, using: public.is_member(id)}\n")
    assert "function `public.is_member` is not declared" in e.message
    assert e.line == 13


def test_policy_using_missing_column(tmp_path):
    e = error(tmp_path, BASE + "    policies:\n      p: {command: select, using: acount_id = id}\n")
    assert "column `acount_id` does not exist" in e.message


def test_trigger_with_missing_function(tmp_path):
    e = error(tmp_path, BASE + "    triggers:\n      t: {timing: before, events: [insert], function: kit.nope}\n")
    assert "trigger function `kit.nope` is not declared" in e.message


def test_duplicate_key_in_one_file(tmp_path):
    e = error(tmp_path, BASE + "      id: {type: text}\n")
    assert "duplicate key `id`" in e.message and e.line == 12


def test_duplicate_table_across_files(tmp_path):
    (tmp_path / "b.yaml").write_text("tables:\n  public.accounts:\n    columns: {id: uuid}\n")
    e = error(tmp_path, BASE)
    assert "declared twice" in e.message and e.file == "s.yaml"


def test_duplicate_relation_name(tmp_path):
    e = error(tmp_path, BASE + "    indexes:\n      accounts_pkey: {columns: [id]}\n")
    assert "used twice" in e.message


def test_unknown_type(tmp_path):
    e = error(tmp_path, BASE + "      status: public.ticket_stat\n")
    assert "unknown type `public.ticket_stat`" in e.message


def test_unknown_role(tmp_path):
    e = error(tmp_path, BASE + "    grants:\n      authenticaed: [select]\n")
    assert "unknown role `authenticaed`" in e.message and "authenticated" in e.hint


def test_a_role_of_the_database_is_declared_under_roles(tmp_path):
    grant = "    grants:\n      app_auditor: [select]\n"
    e = error(tmp_path, BASE + grant)
    assert "unknown role `app_auditor`" in e.message and "roles:" in e.hint
    catalog = load_text(tmp_path, "roles: [app_auditor]\n" + BASE + grant)
    assert catalog.roles == ("app_auditor",) and catalog.table("public.accounts").grants[0].role == "app_auditor"


def test_enum_values_for_unknown_enum(tmp_path):
    e = error(tmp_path, BASE + "enum_values:\n  public.nope: [a]\n")
    assert "enum `public.nope` is not declared" in e.message


def test_insert_policy_with_using(tmp_path):
    e = error(tmp_path, BASE + "    policies:\n      p: {command: insert, using: 'true'}\n")
    assert "with_check" in e.hint


def test_error_text_names_file_line_key_and_hint(tmp_path):
    e = error(tmp_path, BASE + "      name: {type: text, not_nul: true}\n")
    assert str(e).startswith("s.yaml:12 [tables.public.accounts.columns.name.not_nul]: unknown key")
    assert "hint:" in str(e)


@pytest.mark.parametrize(
    "table, kind, columns, expected",
    [
        ("tickets", "primary_key", (), "tickets_pkey"),
        ("tickets", "foreign_key", ("account_id",), "tickets_account_id_fkey"),
        ("roles", "unique", ("hierarchy_level",), "roles_hierarchy_level_key"),
        ("a" * 40, "foreign_key", ("b" * 40,), "a" * 29 + "_" + "b" * 28 + "_fkey"),
    ],
)
def test_default_constraint_names_match_postgres(table, kind, columns, expected):
    assert default_constraint_name(table, kind, columns) == expected


def test_json_schema_describes_every_top_level_key():
    schema = json_schema()
    assert set(schema["properties"]) == {"schemas", "extensions", "enums", "enum_values", "types", "collations", "domains", "sequences", "tables", "functions", "views", "publications", "default_privileges", "event_triggers", "policies", "triggers", "rows", "roles"}
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize("source", ["\nbegin\n  return 1;\nend;\n", " select 1 ", "\n  select 1;\n", "begin\nend;", "\n\nbegin end;\n", "\nselect 1"])
def test_a_function_body_written_back_reads_as_its_source(source):
    assert body_source(body_text(source)) == source


@pytest.mark.parametrize(
    "field, message",
    [
        ('      name: {type: text}\n    rls: true\n    policies:\n      p: {command: select, using: "true); delete from public.accounts; select (true"}\n', "is not one SQL expression"),
        ("      name: {type: text, default: \"'' primary key\"}\n", None),
        ('      name: {type: "text); drop table public.accounts; --"}\n', "is not a type name"),
        ('      name: {type: text, check: "name <> \'\' -- hide"}\n', "is not one SQL expression"),
    ],
)
def test_text_that_would_escape_its_place_is_a_yaml_error(tmp_path, field, message):
    if message is None:  # one value followed by words: loads, and renders in parentheses
        from tickets_db.kinds.tables import CreateTable
        from tickets_db.render import render_op

        table = load_text(tmp_path, BASE + field).table("public.accounts")
        assert "default ('' primary key)" in render_op(CreateTable(table=table))
        return
    e = error(tmp_path, BASE + field)
    assert message in e.message and e.file == "s.yaml"


def test_a_view_query_is_one_query(tmp_path):
    e = error(tmp_path, BASE + "views:\n  public.v:\n    query: select 1; delete from public.accounts\n")
    assert "not one query" in e.message and e.key == "public.v.query"


@pytest.mark.parametrize(
    "body, ok",
    [
        ("return a + 1", True),
        ("begin atomic select 1; select case when true then 1 end; end", True),
        ("return 1; delete from public.accounts", False),
        ("return 1 -- hides the semicolon", False),
        ("begin atomic select 1; end; delete from public.accounts; select 1", False),
        ("begin atomic select 1; end -- hides the semicolon", False),
    ],
)
def test_a_sql_standard_body_is_one_body(tmp_path, body, ok):
    text = BASE + f"functions:\n  - name: public.f\n    args: [a integer]\n    returns: integer\n    language: sql\n    body: {body!r}\n".replace("'", '"')
    if ok:
        f = load_text(tmp_path, text).functions[0]
        assert f.standard_body
        return
    e = error(tmp_path, text)
    assert "not one body" in e.message and e.key == "public.f.body"


@pytest.mark.parametrize(
    "constraint, key, message",
    [
        ("{primary_key: [id], no_inherit: true}", "no_inherit", "only a check can be"),
        ("{check: id is not null, deferrable: true}", "deferrable", "cannot be deferred"),
        ("{unique: [id], not_valid: true}", "not_valid", "only checks and foreign keys"),
    ],
)
def test_constraint_options_a_kind_cannot_take(tmp_path, constraint, key, message):
    e = error(tmp_path, BASE + f"    constraints:\n      k: {constraint}\n")
    assert message in e.message and e.key == f"constraints.k.{key}"


def test_initially_deferred_implies_deferrable(tmp_path):
    k = load_text(tmp_path, BASE + "      owner: uuid\n    constraints:\n      k: {foreign_key: [owner], references: auth.users(id), initially_deferred: true}\n").table("public.accounts").constraints[-1]
    assert (k.deferrable, k.initially_deferred) == (True, True)


def test_replica_identity_values(tmp_path):
    table = load_text(tmp_path, BASE + "    replica_identity: index  accounts_pkey\n").table("public.accounts")
    assert table.replica_identity == "index accounts_pkey"
    e = error(tmp_path, BASE + "    replica_identity: everything\n")
    assert "not a replica identity" in e.message and e.key == "replica_identity"


def test_identity_options_keep_only_what_is_not_a_default(tmp_path):
    text = BASE.replace("id: {type: uuid, primary_key: true}", "id: {type: integer, primary_key: true, identity: always, identity_options: {start: 1, increment: 5, cache: 1, cycle: false, minvalue: 1}}")
    assert load_text(tmp_path, text).table("public.accounts").column("id").identity_options == (("increment", "5"),)
    e = error(tmp_path, BASE.replace("id: {type: uuid, primary_key: true}", "id: {type: integer, identity_options: {start: 5}}"))
    assert "need `identity" in e.message


def test_a_view_trigger_names_a_declared_function(tmp_path):
    e = error(tmp_path, BASE + "views:\n  public.v:\n    query: select id from public.accounts\n    triggers:\n      t: {timing: instead of, events: [insert], function: public.nope}\n")
    assert "is not declared" in e.message and e.key == "triggers.t.function"


@pytest.mark.parametrize("name", ["a" * 64, "é" * 32])
def test_a_name_over_63_bytes_is_refused(tmp_path, name):
    e = error(tmp_path, BASE + f"      {name}: text\n")
    assert "63 bytes" in e.message and e.key == f"public.accounts.{name}"


def test_a_file_that_is_not_utf8_names_the_file_and_the_byte(tmp_path):
    path = tmp_path / "schema" / "s.yaml"
    path.parent.mkdir()
    path.write_bytes("schemas:\n  app: {comment: caf\xe9}\n".encode("latin-1"))
    with pytest.raises(NotUtf8) as e:
        load(path.parent, tmp_path)
    assert "schema/s.yaml:2: byte 0xe9 at offset 29 (line 2, column 21) is not UTF-8" in str(e.value)
    assert e.value.exit_code == 2


ALIAS_BOMB = "\n".join(
    [f"{chr(97)}: &{chr(97)} [{', '.join(['lol'] * 9)}]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
) + "\n"


@pytest.mark.parametrize("text, message", [
    (ALIAS_BOMB, "aliases expand to far more than the file holds"),  # 9^9 strings from 400 bytes
    ("a: &a [*a]\n", "an alias refers to a node that contains it"),
    ("a: &a {b: [1, {c: *a}]}\n", "an alias refers to a node that contains it"),
    ("a: " + "[" * 150 + "]" * 150 + "\n", "nested more than 100 levels"),
    ("a: \x07\n", "malformed YAML"),
])
def test_yaml_that_would_not_end_or_not_read_is_one_error(tmp_path, text, message):
    """An alias bomb in a pull request once cost `lint` 29 s and 4.4 GB; a list holding itself
    recursed until Python gave up."""
    started = time.perf_counter()
    assert message in error(tmp_path, text).message
    assert time.perf_counter() - started < 5  # bounded, not a benchmark: the bomb took minutes


def test_aliases_a_schema_uses_still_load(tmp_path):
    catalog = load_text(tmp_path, """
        schemas: {app: {}}
        tables:
          app.a: {columns: &cols {id: {type: uuid, primary_key: true}, note: text}}
          app.b: {columns: *cols}
    """)
    assert [c.name for c in catalog.table("app.b").columns] == ["id", "note"]


def test_sequence_grants_belong_to_a_column_with_a_sequence(tmp_path):
    e = error(tmp_path, BASE + "      n: {type: integer, sequence_grants: {authenticated: [usage]}}\n")
    assert "only a serial or identity column has a sequence" in e.message and e.line == 12 and "sequences:" in e.hint
    (tmp_path / "s.yaml").unlink()
    catalog = load_text(tmp_path, BASE + "      n: {type: serial, sequence_grants: {authenticated: [usage]}}\n      m: {type: bigint, identity: always}\n")
    n, m = catalog.table("public.accounts").columns[1:]
    assert n.sequence_grants[0].role == "authenticated" and n.sequence_grants[0].privileges == ("usage",)
    assert m.sequence_grants is None  # left out: whatever the default privileges give


def test_platform_schema_privileges_are_managed_only_when_listed(tmp_path):
    catalog = load_text(tmp_path, BASE.replace("public: {external: true}", "public: {external: true, grants: {authenticated: usage}}"))
    schemas = {s.name: s for s in catalog.schemas}
    public, auth = schemas["public"], schemas["auth"]
    assert public.grants[0].role == "authenticated" and auth.grants is None


def test_booleans_are_yaml_1_2s_so_on_is_a_key(tmp_path):
    """`on` (default privileges) is a boolean in YAML 1.1: written plainly, it was an unknown key True."""
    catalog = load_text(tmp_path, BASE + "default_privileges:\n  - {for_role: postgres, on: functions, grants: {}}\n")
    assert catalog.default_privileges[0].on == "functions"
    e = error(tmp_path, BASE + "    rls: yes\n")
    assert e.line == 12 and "yes" in e.message
