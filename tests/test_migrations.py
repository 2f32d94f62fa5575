"""Migration files: statement splitting, segments, refusing hand-written transaction control."""
from __future__ import annotations

from pathlib import Path

import pytest

from tickets_db.errors import MigrationError
from tickets_db.migrations import check_sum, list_migrations, new_version, parse, pending_raw_sql, raw_sql_files, split_statements, write_sum


@pytest.mark.parametrize(
    "sql, expected",
    [
        ("select 1; select 2;", ["select 1;", "select 2;"]),
        ("select ';'; select 2", ["select ';';", "select 2"]),
        ("create function f() returns int as $$ select 1; $$ language sql;", ["create function f() returns int as $$ select 1; $$ language sql;"]),
        ("do $body$ begin perform 1; end $body$;", ["do $body$ begin perform 1; end $body$;"]),
        ("-- a; comment\nselect 1; /* b; */ select 2;", ["select 1;", "select 2;"]),
        ('select "a;b" from t;', ['select "a;b" from t;']),
        ("select 'it''s; fine';", ["select 'it''s; fine';"]),
        # a SQL-standard body is one statement, as psql reads it (BEGIN and CASE not first open a block)
        ("create function f() returns int language sql begin atomic select 1; select case when true then 2 end; end; select 3;",
         ["create function f() returns int language sql begin atomic select 1; select case when true then 2 end; end;", "select 3;"]),
        ("begin; select 1; end;", ["begin;", "select 1;", "end;"]),  # transaction control stays visible (and refused)
        ("select case when true then 1 end; select 2;", ["select case when true then 1 end;", "select 2;"]),
    ],
)
def test_split_statements(sql, expected):
    assert [s.text for s in split_statements(sql)] == expected


def test_statement_lines():
    sts = split_statements("select 1;\n\n-- note\nselect\n  2;\n")
    assert [s.line for s in sts] == [1, 4]


def test_hand_written_commit_is_an_error(tmp_path: Path):
    p = tmp_path / "20260101000000_x.sql"
    p.write_text("alter type t add value 'a';\ncommit;\ncreate table x ();\n")
    with pytest.raises(MigrationError) as info:
        parse(p)
    assert info.value.line == 2 and "COMMIT" in info.value.message


def test_a_lone_value_add_shares_the_transaction_a_used_one_does_not(tmp_path: Path):
    """PostgreSQL 12 and later add an enum value in a transaction, as long as the same one does
    not use it (the Supabase CLI runs every file in one)."""
    p = tmp_path / "20260101000000_x.sql"
    p.write_text("alter type public.status add value 'archived';\ncreate table x (s public.status default 'open');\n")
    assert [s.line for s in parse(p).transactional] == [1, 2]
    p.write_text("alter type public.status add value if not exists 'it''s';\nupdate t set s = 'it''s';\n")
    with pytest.raises(MigrationError) as info:
        parse(p)
    assert info.value.line == 1 and "added and used (line 2)" in info.value.message and "autocommit" in (info.value.hint or "")


def test_supabase_file_names_are_migrations(tmp_path: Path):
    for name in ("20240104000000_AddPosts.sql", "20240105_remote schema.sql", "3_x.sql"):
        (tmp_path / name).write_text("select 1;\n")
    assert [(m.version, m.name) for m in list_migrations(tmp_path)] == [("20240104000000", "AddPosts"), ("20240105", "remote schema"), ("3", "x")]


def test_begin_atomic_bodies_are_one_statement(tmp_path: Path):
    p = tmp_path / "20260101000000_x.sql"
    p.write_text("create function f(a int) returns int language sql begin atomic select a + 1; end;\ncreate table x ();\n")
    assert [s.line for s in parse(p).transactional] == [1, 2]


@pytest.mark.parametrize("text, keyword", [("create table x ();\ncommit;\ncreate table y ();\n", "COMMIT"), ("create table a ();\nbegin;\ncreate table b ();\n", "BEGIN")])
def test_begin_or_commit_is_an_error_with_its_line(tmp_path: Path, text, keyword):
    p = tmp_path / "20260101000000_x.sql"
    p.write_text(text)
    with pytest.raises(MigrationError) as info:
        parse(p)
    assert info.value.line == 2 and keyword in info.value.message


def test_segments(tmp_path: Path):
    p = tmp_path / "20260101000000_x.sql"
    p.write_text("-- tickets-db: autocommit\nalter type t add value if not exists 'a';\n-- tickets-db: transaction\ncreate table x ();\n")
    parsed = parse(p)
    assert [s.text for s in parsed.autocommit] == ["alter type t add value if not exists 'a';"]
    assert [s.text for s in parsed.transactional] == ["create table x ();"]


def test_segments_run_in_the_order_written(tmp_path: Path):
    """An online migration alternates: a transaction, a concurrent index build, a transaction
    that validates; each segment as written, in order."""
    p = tmp_path / "20260101000000_x.sql"
    p.write_text("-- tickets-db: online lock_timeout=250ms retries=3\ncreate table x (a int);\n-- tickets-db: autocommit\n"
                 "create index concurrently if not exists x_a on x (a);\n-- tickets-db: transaction\nalter table x add column b int;\n")
    parsed = parse(p)
    assert [(s.autocommit, [st.text for st in s.statements]) for s in parsed.segments] == [
        (False, ["create table x (a int);"]), (True, ["create index concurrently if not exists x_a on x (a);"]), (False, ["alter table x add column b int;"])]
    assert parsed.online is not None and (parsed.online.lock_timeout_ms, parsed.online.retries) == (250, 3)


def test_bad_file_name(tmp_path: Path):
    (tmp_path / "add_tickets.sql").write_text("select 1;")
    with pytest.raises(MigrationError, match="version digits"):
        list_migrations(tmp_path)


def test_sum_file_detects_edits(tmp_path: Path):
    (tmp_path / "20260101000000_a.sql").write_text("select 1;")
    write_sum(tmp_path)
    assert check_sum(tmp_path) == []
    (tmp_path / "20260101000000_a.sql").write_text("select 2;")
    assert check_sum(tmp_path) != []


def test_versions_always_increase(tmp_path: Path):
    (tmp_path / "29990101000000_future.sql").write_text("select 1;")
    assert new_version(list_migrations(tmp_path)) == "29990101000001"


def test_raw_sql_is_pending_until_a_migration_holds_this_version_of_it(tmp_path):
    schema, migrations = tmp_path / "schema", tmp_path / "migrations"
    schema.mkdir()
    migrations.mkdir()
    (schema / "app.yaml").write_text("schemas: {}\n")  # YAML is not raw SQL
    raw = schema / "extra.sql"
    raw.write_text("create sequence app.numbers;\n")
    [found] = raw_sql_files(schema, tmp_path)
    assert found.path == "schema/extra.sql" and found.text == raw.read_text()
    assert pending_raw_sql([found], list_migrations(migrations)) == [found]

    (migrations / "20260101000000_init.sql").write_text(f"create table t ();\n\n{found.mark}\n{found.text}")
    assert pending_raw_sql(raw_sql_files(schema, tmp_path), list_migrations(migrations)) == []

    raw.write_text("create sequence app.numbers start 10;\n")  # edited: pending again
    [edited] = raw_sql_files(schema, tmp_path)
    assert edited.digest != found.digest and pending_raw_sql([edited], list_migrations(migrations)) == [edited]
