"""Any name and any text the YAML can hold: it loads or is refused with a SchemaError, and
what loads builds, round-trips and passes the proof without running a statement nobody asked
for (a sentinel table and its row survive). Names and texts are drawn with quotes, comment and
statement ends, dollar quotes, newlines, unicode, capitals, spaces and keywords."""
from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings, strategies as st

from tickets_db import db
from tickets_db.errors import SchemaError
from tickets_db.introspect import Scope, introspect
from tickets_db.loader import load_files
from tickets_db.migrations import split_statements
from tickets_db.model import Catalog
from tickets_db.planner import function_keys
from tickets_db.diff import diff
from tickets_db.proof import prove
from tickets_db.render import render_migration

from .conftest import clone

PIECES = ["'", '"', "*/", "/*", ";", "$$", "$a$", "--", "\n", "\r", "\\", "(", ")", " ", "é", "Ω", "表", "🙂",
          "select", "drop table app.keep", "from", "order", "User", "public", "E'", "%s", "%(x)s", "{{", "}}", "{%"]
TEXT = st.lists(st.sampled_from(PIECES) | st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=4), min_size=1, max_size=8).map("".join)
# a name must hold something but spaces; long ones exercise the 63-byte limit of generated names
NAME = TEXT.filter(lambda s: s.strip() != "" and len(s.encode()) <= 70 and "\r" not in s and "\n" not in s)

SENTINEL = "insert into app.keep values (1)"


def document(table: str, column: str, comment: str, text: str, policy: str, function: str) -> dict[str, object]:
    return {
        "schemas": {"public": {"external": True}, "app": {}},
        "tables": {
            "app.keep": {"columns": {"id": {"type": "integer", "primary_key": True}}},
            f"app.{table}": {
                "comment": comment,
                "columns": {
                    "id": {"type": "integer", "primary_key": True},
                    column: {"type": "text", "default": _literal(text), "check": f"{_ident(column)} <> {_literal(text)}", "comment": text},
                },
                "rls": True,
                "policies": {policy: {"command": "select", "using": f"{_ident(column)} is distinct from {_literal(text)}"}},
                "indexes": {f"{table[:20]} ix": {"columns": [_ident(column)], "where": f"{_ident(column)} <> {_literal(text)}"}},
            },
        },
        "functions": [{"name": f"app.{function}", "returns": "text", "language": "sql", "set": {"search_path": ""}, "body": f"select {_literal(text)}", "comment": comment}],
        "views": {f"app.{table} view": {"query": f"select {_ident(column)} from app.{_ident(table)}", "comment": text}},
    }


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(table=NAME, column=NAME, comment=TEXT, text=TEXT, policy=NAME, function=NAME)
@example(table="®\x85Å", column="0\x85\u2028", comment="\x85", text="'\x85", policy="'", function="a\u2029")  # YAML line breaks
def test_any_name_and_text(tmp_path_factory, cluster, table, column, comment, text, policy, function):
    round_trip(tmp_path_factory.mktemp("fuzz"), cluster, table, column, comment, text, policy, function)


def test_hostile_names_and_texts_load_and_round_trip(tmp_path, cluster):
    """Not refused, built: names and texts that once escaped their place."""
    assert round_trip(tmp_path, cluster, "f(); drop table keep; --", 'App "Auditor"', "*/ delete from app.keep; /*",
                      "true); delete from app.keep; select (true", "Add One", "$$ ; \n 表")


def round_trip(tmp: Path, cluster, table: str, column: str, comment: str, text: str, policy: str, function: str) -> bool:
    """False when the YAML is refused (a SchemaError); else asserts the whole contract."""
    path = tmp / "s.yaml"
    # libyaml's emitter: PyYAML's own writes a NEL (U+0085) raw inside single quotes, where YAML
    # reads it as a line break folded to a space (the name would change on the way)
    path.write_text(yaml.dump(document(table, column, comment, text, policy, function), Dumper=yaml.CSafeDumper, allow_unicode=True))
    try:
        authored = load_files([path], tmp)
    except SchemaError:
        return False  # refused with a clear error: allowed (nothing else may escape)
    scope = Scope.of(authored)
    template = cluster.ensure_platform_template()
    with clone(cluster, template) as desired_url, clone(cluster, template) as url:
        with db.connection(desired_url) as conn:
            conn.execute(render_migration(diff(Catalog(), authored).ops, "build").encode())
            desired = introspect(conn, scope)
            keys = function_keys(conn, authored)
        with db.connection(url) as conn:
            conn.execute("create schema app; create table app.keep (id integer primary key)")
            conn.execute(SENTINEL)
            conn.commit()
            current = introspect(conn, scope)
            plan = diff(current, desired, authored, keys)
            assert not plan.unsupported, plan.unsupported
            text_sql = render_migration(plan.ops, "fuzz")
            after = prove(conn, text_sql, "fuzz.sql", scope, desired, authored, keys, len(split_statements(text_sql)))
            assert after == desired
            assert conn.execute("select count(*) from app.keep").fetchone() == (1,)
            assert {t.qualname for t in after.tables} == {"app.keep", f"app.{table}"}
            assert diff(after, desired, authored, keys).empty
    return True
