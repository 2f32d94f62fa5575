"""The diff's contract, checked on random edits of a schema against a real PostgreSQL: for every
edit, the generated migration passes the proof `new` runs before writing (it runs as the runner
runs it and leaves no residue), the database it makes has exactly the catalog of a database
built fresh from the edited schema, and diffing again finds nothing."""
from __future__ import annotations

import copy
import textwrap
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from tickets_db import db
from tickets_db.diff import diff
from tickets_db.errors import SchemaError
from tickets_db.introspect import Scope, introspect
from tickets_db.loader import load_files
from tickets_db.migrations import split_statements
from tickets_db.planner import apply_catalog, function_keys
from tickets_db.proof import prove
from tickets_db.render import render_migration

from .conftest import clone

BASE = yaml.safe_load(textwrap.dedent("""
schemas:
  public: {external: true}
  auth: {external: true}
  app:
    grants: {authenticated: [usage]}
enums:
  app.status: {values: [new, done]}
tables:
  auth.users: {external: true, columns: {id: uuid}}
  app.items:
    comment: things to count
    columns:
      id: {type: uuid, primary_key: true, default: gen_random_uuid()}
      name: {type: varchar(50), not_null: true}
      note: text
      qty: {type: integer, not_null: true, default: "0"}
      status: {type: app.status, not_null: true, default: "'new'"}
      owner_id: {type: uuid, references: auth.users(id)}
    indexes:
      ix_items_owner: {columns: [owner_id]}
    grants: {authenticated: [select]}
    rls: true
    policies:
      read_items: {command: select, roles: [authenticated], using: "qty >= 0"}
      counted: {command: select, roles: [authenticated], using: "app.count_items() > -1"}
    triggers:
      touch_items: {timing: before, events: [update], function: app.touch}
  app.tags:
    columns:
      id: {type: integer, primary_key: true}
      item_id: {type: uuid, not_null: true, references: app.items(id), on_delete: cascade}
      label: {type: text, check: "length(label) < 100"}
    indexes:
      ix_tags_item: {columns: [item_id]}
    rows:
      key: [id]
      values:
        - {id: 1, item_id: "00000000-0000-4000-8000-000000000001", label: first}
views:
  app.item_names:
    query: select id, name from app.items
    grants: {authenticated: [select]}
    security_invoker: true
functions:
  - name: app.count_items
    returns: integer
    language: sql
    volatility: stable
    set: {search_path: ''}
    execute: [authenticated]
    body: select count(*)::int from app.items
  - name: app.touch
    returns: trigger
    set: {search_path: ''}
    body: |
      begin
        new.qty = coalesce(new.qty, 0);
        return new;
      end;
"""))
# The reference row needs its item: the base inserts one as a row of app.items too.
BASE["tables"]["app.items"]["rows"] = {"key": ["id"], "values": [{"id": "00000000-0000-4000-8000-000000000001", "name": "one", "note": "a note", "qty": 1, "status": "new"}]}

Doc = dict[str, Any]


def items(doc: Doc) -> Doc:
    return doc["tables"]["app.items"]


def fn(doc: Doc, name: str) -> Doc:
    return next(f for f in doc["functions"] if f["name"] == name)


def rename_column(doc: Doc) -> None:
    t = items(doc)
    t["columns"] = {("title" if k == "name" else k): (dict(v, renamed_from="name") if k == "name" else v) for k, v in t["columns"].items()}
    t["rows"]["values"] = [{("title" if k == "name" else k): v for k, v in row.items()} for row in t["rows"]["values"]]
    doc["views"]["app.item_names"]["query"] = "select id, title as name from app.items"


EDITS: dict[str, Callable[[Doc], None]] = {
    "add a column": lambda d: items(d)["columns"].update(extra={"type": "integer", "default": "7", "not_null": True}),
    "drop a column": lambda d: (items(d)["columns"].pop("note"), [row.pop("note") for row in items(d)["rows"]["values"]]),
    "rename a column": lambda d: rename_column(d),
    "widen a varchar": lambda d: items(d)["columns"]["name"].update(type="varchar(100)"),
    "change a type": lambda d: items(d)["columns"]["qty"].update(type="bigint"),
    "change a default": lambda d: items(d)["columns"]["qty"].update(default="1"),
    "drop a default": lambda d: items(d)["columns"]["qty"].pop("default"),
    "set not null": lambda d: items(d)["columns"].update(note={"type": "text", "not_null": True, "default": "''"}),
    "drop not null": lambda d: items(d)["columns"]["name"].pop("not_null"),
    "add an index": lambda d: items(d)["indexes"].update(ix_items_status={"columns": ["status", "qty"]}),
    "drop an index": lambda d: items(d).pop("indexes"),
    "change an index": lambda d: items(d)["indexes"]["ix_items_owner"].update(where="owner_id is not null"),
    "add a check": lambda d: items(d).update(constraints={"qty_positive": {"check": "qty >= 0"}}),
    "change a check": lambda d: d["tables"]["app.tags"]["columns"]["label"].update(check="length(label) < 200"),
    "drop a foreign key": lambda d: items(d)["columns"]["owner_id"].pop("references"),
    "change a policy": lambda d: items(d)["policies"]["read_items"].update(using="qty > -1", roles=["authenticated", "service_role"]),
    "change a policy command": lambda d: items(d)["policies"]["read_items"].update(command="all", with_check="qty >= 0"),
    "drop a policy": lambda d: items(d)["policies"].pop("read_items"),
    "add a policy": lambda d: items(d)["policies"].update(restrict_done={"command": "update", "roles": ["authenticated"], "permissive": False, "using": "status <> 'done'"}),
    "change a function body": lambda d: fn(d, "app.count_items").update(body="select count(*)::int + 0 from app.items"),
    "change a function result": lambda d: fn(d, "app.count_items").update(returns="bigint", body="select count(*) from app.items"),
    "change function arguments": lambda d: fn(d, "app.count_items").update(args=["minimum integer default 0"], body="select count(*)::int from app.items where qty >= minimum"),
    "change function grants": lambda d: fn(d, "app.count_items").update(execute=["authenticated", "service_role"]),
    "add an enum value": lambda d: d["enums"]["app.status"].update(values=["new", "doing", "done"]),
    "drop a table": lambda d: d["tables"].pop("app.tags"),
    "rename a table": lambda d: d["tables"].update({"app.labels": dict(d["tables"].pop("app.tags"), renamed_from="app.tags")}),
    "grant a column": lambda d: d["tables"]["app.tags"]["columns"].update(label={"type": "text", "check": "length(label) < 100", "grants": {"authenticated": ["select", "update"]}}),
    "change grants": lambda d: items(d)["grants"].update(authenticated=["select", "insert"], service_role=["select"]),
    "turn RLS off": lambda d: (items(d).update(rls=False), items(d).pop("policies")),
    "change a comment": lambda d: items(d).update(comment="things we count"),
    "add to a view": lambda d: d["views"]["app.item_names"].update(query="select id, name, qty from app.items"),
    "reshape a view": lambda d: d["views"]["app.item_names"].update(query="select name, id from app.items"),
    "drop a view": lambda d: d.pop("views"),
    "change a trigger": lambda d: items(d)["triggers"]["touch_items"].update(when="old.qty is distinct from new.qty"),
    "drop a trigger": lambda d: items(d).pop("triggers"),
    "change a reference row": lambda d: d["tables"]["app.tags"]["rows"]["values"][0].update(label="renamed"),
    "add a table": lambda d: d["tables"].update({"app.notes": {"columns": {"id": {"type": "bigint", "identity": "always", "primary_key": True}, "body": "text"}, "rls": True}}),
}


def catalog(tmp: Path, doc: Doc, name: str):
    path = tmp / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return load_files([path], tmp)


def build(url: str, authored) -> None:
    with db.connection(url) as conn:
        apply_catalog(conn, authored)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.sampled_from(sorted(EDITS)), min_size=1, max_size=3, unique=True))
def test_every_edit_becomes_a_correct_migration(tmp_path_factory, cluster, edits):
    tmp = tmp_path_factory.mktemp("edit")
    old = catalog(tmp, BASE, "old")
    doc = copy.deepcopy(BASE)
    try:
        for e in edits:
            EDITS[e](doc)
        new = catalog(tmp, doc, "new")
    except (KeyError, TypeError, SchemaError):
        if len(edits) == 1:
            raise  # alone, every edit must give a valid schema
        assume(False)  # edits that contradict each other (a view over a column just renamed…)
    scope = Scope.of(new)
    scope = Scope(tuple(sorted(set(scope.schemas) | set(Scope.of(old).schemas))), scope.external_tables, scope.rows)
    template = cluster.ensure_platform_template()
    with clone(cluster, template) as current_url, clone(cluster, template) as fresh_url:
        build(current_url, old)
        try:
            build(fresh_url, new)
        except SchemaError:
            if len(edits) == 1:
                raise  # alone, every edit must build
            assume(False)
        with db.connection(fresh_url) as conn:
            desired = introspect(conn, scope)
            keys = function_keys(conn, new)
        with db.connection(current_url) as conn:
            plan = diff(introspect(conn, scope), desired, new, keys)
            assert not plan.unsupported, (edits, plan.unsupported)
            text = render_migration(plan.ops, "edit")
            # the proof `new` runs before writing: the runner's statement splitting, segments and
            # one statement per protocol message, the verb guard, then no residue
            after = prove(conn, text, "edit.sql", scope, desired, new, keys, len(split_statements(text)))
            assert after == desired, (edits, text)
            again = diff(after, desired, new, keys)
            assert again.empty, (edits, [op.key for op in again.ops])


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_each_edit_alone(tmp_path_factory, cluster, edit):
    """Every edit on its own, so a failure names it plainly."""
    test_every_edit_becomes_a_correct_migration.hypothesis.inner_test(tmp_path_factory, cluster, [edit])
