"""pull's own steps against a real server: the database read into the model, written as YAML,
and that YAML loaded and built again gives the same catalog."""
from __future__ import annotations

import pytest
import yaml

from tickets_db import db, pull
from tickets_db.errors import ConfigError
from tickets_db.introspect import Scope, introspect
from tickets_db.loader import load_files
from tickets_db.planner import apply_catalog

from .conftest import ROOT, clone

FIXTURES = ROOT / "tests" / "fixtures" / "pull"
TABLE_KEYS = ["external", "comment", "columns", "constraints", "indexes", "grants", "rls", "force_rls", "policies", "triggers"]


@pytest.fixture
def varied_db(empty_db: str) -> str:
    with db.connection(empty_db) as conn:
        conn.execute((FIXTURES / "varied.sql").read_text())
    return empty_db


def test_documents_are_stable_ordered_and_readable(varied_db):
    with db.connection(varied_db) as conn:
        first = pull.documents(pull.read(conn, ("app", "audit")))
        second = pull.documents(pull.read(conn, ("app", "audit")))
    assert first == second
    app = yaml.safe_load(first["app.yaml"])
    assert list(app) == ["schemas", "enums", "domains", "tables", "functions", "views"]
    assert list(app["tables"]) == sorted(app["tables"])
    for spec in app["tables"].values():
        keys = list(spec)
        assert keys == sorted(keys, key=TABLE_KEYS.index)
    assert "  body: |\n    begin\n      new.created_at := now();" in first["audit.yaml"]  # bodies as block scalars
    assert "query: |-\n      SELECT people.id," in first["app.yaml"]


def test_the_pulled_yaml_builds_the_same_catalog(varied_db, cluster, tmp_path):
    """The model-level round trip: YAML → model → SQL in a fresh database → the same catalog."""
    scope = Scope(("app", "audit"), ("auth.users",))
    with db.connection(varied_db) as conn:
        pulled = pull.read(conn, ("app", "audit"))
        original = introspect(conn, scope)
    written = pull.write(tmp_path / "schema", pull.documents(pulled), None)
    authored = load_files(sorted(written.files), tmp_path)
    with clone(cluster, cluster.ensure_platform_template()) as url, db.connection(url) as conn:
        apply_catalog(conn, authored)
        rebuilt = introspect(conn, scope)
    assert rebuilt == original


def test_write_refuses_hand_written_files_and_changes_nothing(tmp_path):
    (tmp_path / "core.yaml").write_text("schemas: {}\n")
    with pytest.raises(ConfigError, match="files `pull` did not write"):
        pull.write(tmp_path, {"public.yaml": f"{pull.MARK} from schema public\nschemas:\n  public: {{external: true}}\n"}, None)
    assert [p.name for p in tmp_path.iterdir()] == ["core.yaml"]


def test_write_replaces_its_own_files_and_removes_stale_ones(tmp_path):
    doc = f"{pull.MARK} from schema public\nschemas:\n  public: {{external: true}}\n"
    pull.write(tmp_path, {"public.yaml": doc, "old.yaml": doc.replace("public", "old")}, "-- Pulled by tickets-db\nselect 1;\n")
    written = pull.write(tmp_path, {"public.yaml": doc}, None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public.yaml"]
    assert sorted(p.name for p in written.removed) == ["old.yaml", "unsupported.sql"]


@pytest.mark.parametrize("which", ["varied", "project"])
def test_the_fast_emitter_writes_what_pyyaml_writes(which, varied_db, migrated_db):
    url, schemas = (varied_db, ("app", "audit")) if which == "varied" else (migrated_db, ())
    with db.connection(url) as conn:
        pulled = pull.read(conn, schemas, ("storage.buckets",) if which == "project" else ())
    texts = pull.documents(pulled)
    for name, (header, document) in pull.data(pulled).items():
        assert texts[name] == header + pull.reference_text(document), name
        assert yaml.safe_load(texts[name]) == document


def test_types_of_schemas_not_pulled_are_referenced(varied_db, tmp_path):
    with db.connection(varied_db) as conn:
        conn.execute("create type public.visibility as enum ('public', 'private')")
        conn.execute("alter table app.teams add column visibility public.visibility not null default 'private'")
        pulled = pull.read(conn, ("app", "audit"))
    docs = pull.documents(pulled)
    assert "public.visibility: {values: [public, private], external: true}" in docs["public.yaml"]
    written = pull.write(tmp_path / "schema", docs, None)
    catalog = load_files(sorted(written.files), tmp_path)  # the validator knows the type
    assert catalog.enum("public.visibility").external


def test_reference_rows_keep_values_a_default_would_not_give_back(varied_db):
    with db.connection(varied_db) as conn:
        conn.execute("create table app.settings (id bigint generated always as identity primary key, name text not null unique,"
                     " owner uuid not null default auth.uid(), value text, updated_at timestamptz not null default now())")
        conn.execute("insert into app.settings (name, owner, value) values ('theme', '31a03e74-1639-45b6-bfa7-77447f1a4762', 'dark')")
        pulled = pull.read(conn, ("app", "audit"), ("app.settings",))
    [rows] = pulled.catalog.rows
    # the natural key replaces the identity; owner stays (auth.uid() would not give it back); the
    # time the row was written is each database's own
    assert rows.key == ("name",) and rows.columns == ("name", "owner", "value")
    assert rows.values == (("theme", "31a03e74-1639-45b6-bfa7-77447f1a4762", "dark"),)


def test_counts_say_what_each_file_holds(varied_db):
    with db.connection(varied_db) as conn:
        pulled = pull.read(conn, ("app", "audit"))
    counts = {name: tuple(numbers) for name, *numbers in pull.counts(pulled)}
    # tables, views, functions created; policies and triggers attached
    assert counts["app.yaml"] == (3, 1, 3, 4, 1) and counts["audit.yaml"] == (1, 0, 2, 0, 1) and counts["auth.yaml"] == (0, 0, 0, 0, 0)


def test_partitioned_and_inherited_tables_are_pulled_as_such(varied_db):
    with db.connection(varied_db) as conn:
        conn.execute("create table app.events (id integer not null, at date not null) partition by range (at)")
        conn.execute("create table app.special_teams (perks text) inherits (app.teams)")
        pulled = pull.read(conn, ("app", "audit"))
    listed = {u.name for u in pulled.unsupported}
    assert not {"app.events", "app.special_teams"} & listed
    tables = {t.qualname: t for t in pulled.catalog.tables}
    assert tables["app.events"].partition_by == "range (at)"
    assert tables["app.special_teams"].inherits == ("app.teams",)
    # the child's own column only; the parent's come with it
    assert [c.name for c in tables["app.special_teams"].columns] == ["perks"]


def test_a_big_schema_reads_the_same_on_two_sessions_or_one(empty_db, cluster):
    """From BESIDE_FROM tables on, columns are read on a second session: the catalog must be the
    one a single session reads (inside a transaction, where a second one would not see the
    state, and for a role allowed one connection only, where none can be had)."""
    from tickets_db import introspect as intro
    tables = intro.BESIDE_FROM + 5
    with db.connection(empty_db) as conn:
        conn.execute("create schema wide; create sequence wide.shared")
        conn.execute("".join(f"create table wide.t{i} (id serial primary key, v{i} text not null default 'x', n bigint generated always as identity);" for i in range(tables)))
        two = intro.introspect(conn, Scope(("wide",)))
        with conn.transaction():
            one = intro.introspect(conn, Scope(("wide",)))
        conn.execute("do $$ begin if not exists (select from pg_roles where rolname = 'one_session') then create role one_session login connection limit 1; end if; end $$")
        conn.execute("grant usage on schema wide to one_session")
    assert len(two.tables) == tables and two == one
    with db.connection(empty_db.replace("postgres@", "one_session@")) as conn:
        alone = intro.introspect(conn, Scope(("wide",)))
    assert len(alone.tables) == tables and [t.columns for t in alone.tables] == [t.columns for t in two.tables]
