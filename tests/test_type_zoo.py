"""Every type PostgreSQL has built in, with arrays, a domain, a composite type (a column, an
array and a function of it), a range and its multirange: the YAML knows the built-ins without a
declaration, builds exactly what the same SQL written by hand builds, pulls back, rebuilds equal,
and its typed models pass mypy --strict. The list of types is the test server's own catalog, so a type the tool does not
know cannot hide."""
from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tickets_db import db
from tickets_db.loader import load
from tickets_db.loader.builtin_types import CATALOG, is_builtin

from .conftest import clone, tool_env
from .e2e.test_cli import run
from .pgdump import dump_difference, schema_dump
from .test_typegen import pyright_strict

CATALOG_TYPES = """
select distinct x from (
  select t.typname::text as x from pg_type t join pg_namespace n on n.oid = t.typnamespace
  where n.nspname = 'pg_catalog' and t.typtype in ('b', 'r', 'm', 'p', 'd') and t.typname !~ '^_' and t.typrelid = 0
  union
  select format_type(t.oid, null) from pg_type t join pg_namespace n on n.oid = t.typnamespace
  where n.nspname = 'pg_catalog' and t.typtype in ('b', 'r', 'm', 'p', 'd') and t.typname !~ '^_' and t.typrelid = 0
) s"""
# Types a column can have: PostgreSQL refuses the planner's internal ones (pg_node_tree, …).
COLUMN_TYPES = """
select format_type(t.oid, null) from pg_type t join pg_namespace n on n.oid = t.typnamespace
where n.nspname = 'pg_catalog' and t.typtype in ('b', 'r', 'm') and t.typname !~ '^_' and t.typrelid = 0 and t.typisdefined
  and t.typname not in ('pg_node_tree', 'pg_ndistinct', 'pg_dependencies', 'pg_mcv_list', 'pg_brin_bloom_summary', 'pg_brin_minmax_multi_summary')
order by 1"""


@pytest.fixture(scope="module")
def column_types(cluster) -> list[str]:
    with db.connection(cluster.url("postgres")) as conn:
        return [r[0] for r in conn.execute(COLUMN_TYPES)]


def test_the_builtin_list_is_the_servers_catalog(cluster):
    with db.connection(cluster.url("postgres")) as conn:
        assert {r[0] for r in conn.execute(CATALOG_TYPES)} == CATALOG


@pytest.mark.parametrize("spelling", [
    "int", "decimal(10, 2)", "float(24)", "double precision[]", "character varying(20)[][]", "timestamp(3) with time zone",
    "interval year to month", "bit varying(8)", "pg_catalog.int4", "national character varying(5)", "serial", "integer array",
])
def test_the_grammars_spellings_are_builtin(spelling):
    assert is_builtin(spelling)


def column(type_name: str) -> str:
    return "c_" + re.sub(r"[^a-z0-9]+", "_", type_name.strip('"'))


def zoo_yaml(types: list[str]) -> str:
    lines = ["schemas:", "  public: {external: true}", "  app: {}", "domains:", "  app.positive: {type: integer, check: value > 0}",
             "types:", "  app.pair: {attributes: {a: integer, b: 'varchar(20)[]'}}", "  app.floatrange: {range: float8, subtype_diff: float8mi}",
             "functions:", "  - {name: app.swap, args: [p app.pair], returns: app.pair, language: sql, volatility: immutable, body: 'select p'}",
             "tables:", "  app.zoo:", "    columns:", "      id: {type: integer, primary_key: true}", "      positive: app.positive",
             "      positives: app.positive[]", "      pair: app.pair", "      pairs: app.pair[]", "      during: app.floatrange",
             "      many: app.floatmultirange"]
    for t in types:
        quoted = f"'{t}'"
        lines += [f"      {column(t)}: {quoted}", f"      {column(t)}_list: '{t}[]'"]
    return "\n".join(lines) + "\n"


def zoo_sql(types: list[str]) -> str:
    columns = ["id integer primary key", "positive app.positive", "positives app.positive[]", "pair app.pair", "pairs app.pair[]",
               "during app.floatrange", "many app.floatmultirange"]
    columns += [f"{column(t)} {t}, {column(t)}_list {t}[]" for t in types]
    return ("create schema app; create domain app.positive as integer constraint positive_check check (value > 0);\n"
            "create type app.pair as (a integer, b varchar(20)[]);\n"
            "create type app.floatrange as range (subtype = float8, subtype_diff = float8mi);\n"
            "create function app.swap(p app.pair) returns app.pair language sql immutable as $$select p$$;\n"
            "revoke all on function app.swap(app.pair) from public;\n"  # the YAML lists no one who may execute it
            f"create table app.zoo ({', '.join(columns)});\n")


def generated_module(path: Path) -> ModuleType:
    """The generated models imported from `path`; registered in sys.modules while it runs, as
    dataclasses resolve annotations through the module."""
    spec = importlib.util.spec_from_file_location(path.parent.name + "_models", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def project(folder: Path, yaml_text: str | None) -> Path:
    (folder / "schema").mkdir(parents=True)
    (folder / "tickets-db.toml").write_text('typegen_output = "models.py"\ntypegen_shapes = ["dataclasses", "typeddicts"]\n')
    if yaml_text is not None:
        (folder / "schema" / "app.yaml").write_text(yaml_text)
    return folder


def build_project(folder: Path, scratch) -> str:
    """A fresh database built from the project's migrations, and its typed models written."""
    url = scratch()
    assert run("--project-dir", str(folder), "new", "init", "--db-url", url).returncode == 0
    made = run("--project-dir", str(folder), "reset", "--yes", "--no-seed", "--db-url", url)
    assert made.returncode == 0, made.stderr
    assert run("--project-dir", str(folder), "typegen").returncode == 0
    return url


def test_every_builtin_type_loads_builds_pulls_and_types(tmp_path, cluster, scratch, column_types):
    assert len(column_types) >= 76
    zoo = project(tmp_path / "zoo", zoo_yaml(column_types))
    catalog = load(zoo / "schema", zoo)  # no declaration needed for any of them
    assert len(catalog.table("app.zoo").columns) == 7 + 2 * len(column_types)
    built = scratch()
    assert run("--project-dir", str(zoo), "new", "init", "--db-url", built).returncode == 0
    made = run("--project-dir", str(zoo), "reset", "--yes", "--no-seed", "--db-url", built)
    assert made.returncode == 0, made.stderr
    with clone(cluster, cluster.ensure_platform_template()) as by_hand:
        with db.connection(by_hand) as conn:
            conn.execute(zoo_sql(column_types))
        expected = schema_dump(by_hand)
    assert schema_dump(built) == expected, dump_difference(schema_dump(built), expected)

    adopter = project(tmp_path / "adopter", None)
    pulled = run("--project-dir", str(adopter), "pull", "--db-url", built)
    assert pulled.returncode == 0 and "warning" not in pulled.stderr, pulled.stderr
    rebuilt = scratch()
    assert run("--project-dir", str(adopter), "new", "init", "--db-url", rebuilt).returncode == 0
    assert run("--project-dir", str(adopter), "reset", "--yes", "--no-seed", "--db-url", rebuilt).returncode == 0
    assert schema_dump(rebuilt) == expected, dump_difference(schema_dump(rebuilt), expected)
    assert run("--project-dir", str(adopter), "diff", "--db-url", built).returncode == 0

    typed = run("--project-dir", str(zoo), "typegen")
    assert typed.returncode == 0, typed.stderr
    checked = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(zoo / "models.py")], capture_output=True, text=True, env=tool_env())
    assert checked.returncode == 0, checked.stdout
    checked = pyright_strict(zoo / "models.py", tmp_path)
    assert checked.returncode == 0 and "0 errors" in checked.stdout, checked.stdout


def test_composites_and_ranges_load_as_their_typed_classes(tmp_path, cluster, scratch):
    """What the models promise is what psycopg returns: after register_types, a composite value is
    its NamedTuple (arrays of them too), a range psycopg's Range, and they are written back."""
    zoo = project(tmp_path / "zoo", zoo_yaml(["tsrange", "int4multirange", "numrange"]))
    built = build_project(zoo, scratch)
    text = (zoo / "models.py").read_text()
    assert "class Pair(NamedTuple):" in text and "during: PgRange[float] | None" in text
    assert "c_tsrange: PgRange[_dt.datetime] | None" in text and "many: PgMultirange[float] | None" in text
    models = generated_module(zoo / "models.py")
    from psycopg.types.multirange import Multirange
    from psycopg.types.range import Range
    with db.connection(built) as conn:
        models.register_types(conn)
        pair = models.Pair(1, ["x", "y"])
        conn.execute("insert into app.zoo (id, pair, pairs, during, many, c_tsrange) values (%s, %s, %s, %s, %s, '[2026-01-01,2026-02-01)')",
                     (1, pair, [pair, models.Pair(2, None)], Range(1.5, 2.5), Multirange([Range(0.0, 1.0)])))
        with conn.cursor(row_factory=models.row_factory(models.Zoo)) as cur:
            row = cur.execute("select * from app.zoo").fetchone()
    assert row.pair == pair and isinstance(row.pair, models.Pair) and row.pair.b == ["x", "y"]
    assert [type(p) for p in row.pairs] == [models.Pair, models.Pair] and row.pairs[1] == (2, None)
    assert isinstance(row.during, Range) and (row.during.lower, row.during.upper) == (1.5, 2.5)
    assert isinstance(row.many, Multirange) and isinstance(row.c_tsrange, Range)


def test_columns_python_forbids_fill_their_fields(tmp_path, scratch):
    """`from`, `class`, `user-name`, `CamelCase`: class_row would pass them as keywords and fail;
    the module's row_factory maps each to its field, and set_fields maps them back."""
    yaml_text = ("schemas:\n  public: {external: true}\n  app: {}\ntables:\n  app.odd:\n    columns:\n"
                 "      id: {type: integer, primary_key: true}\n      from: text\n      class: text\n      user-name: text\n      CamelCase: jsonb\n")
    odd = project(tmp_path / "odd", yaml_text)
    built = build_project(odd, scratch)
    models = generated_module(odd / "models.py")
    insert = models.OddInsert(id=1, from_="a", class_="b", user_name="c")
    assert models.set_fields(insert) == {"id": 1, "from": "a", "class": "b", "user-name": "c"}
    with db.connection(built) as conn:
        conn.execute('insert into app.odd (id, "from", "class", "user-name", "CamelCase") values (1, %s, %s, %s, %s::jsonb)', ("a", "b", "c", '{"k": [1]}'))
        with conn.cursor(row_factory=models.row_factory(models.Odd)) as cur:
            row = cur.execute("select * from app.odd").fetchone()
    assert (row.from_, row.class_, row.user_name, row.CamelCase) == ("a", "b", "c", {"k": [1]})


def everything(tmp_path: Path, scratch, columns: str) -> tuple[str, ModuleType]:
    """A table app.everything (an integer key and `columns`, `name: type; …`) beside an enum
    app.mood and a composite app.pair: its database built, its models generated and imported."""
    spec = "".join(f"      {c.split(':', 1)[0].strip()}: '{c.split(':', 1)[1].strip()}'\n" for c in columns.split(";"))
    yaml_text = ("schemas:\n  public: {external: true}\n  app: {}\nenums:\n  app.mood: {values: [happy, sad]}\n"
                 "types:\n  app.pair: {attributes: {a: integer, b: text}}\ntables:\n  app.everything:\n    columns:\n"
                 "      id: {type: integer, primary_key: true}\n" + spec)
    proj = project(tmp_path / "all", yaml_text)
    built = build_project(proj, scratch)
    return built, generated_module(proj / "models.py")


def test_params_write_through_psycopg_and_payload_reads_back_as_postgrest_does(tmp_path, scratch):
    """An Insert built by hand goes in through params() (jsonb, json, numeric, enum, array,
    range, composite…), and payload() gives JSON that json_populate_record (what PostgREST runs
    on a request body) turns into exactly the same row."""
    import datetime as dt
    import decimal
    import uuid as uuidlib

    from psycopg.types.range import Range
    built, models = everything(tmp_path, scratch, "doc: jsonb; raw: json; price: numeric(10, 2); mood: app.mood; tags: text[]; during: tstzrange;"
                                               " pair: app.pair; key: uuid; at: timestamptz; blob: bytea; wait: interval; day: date")
    at = dt.datetime(2026, 12, 4, 10, 30, tzinfo=dt.timezone.utc)
    row = models.EverythingInsert(
        id=1, doc={"k": [1, {"x": None}]}, raw=[1, "two"], price=decimal.Decimal("12.50"), mood=models.Mood.SAD,
        tags=["a", "b"], during=Range(at, at + dt.timedelta(hours=1)), pair=models.Pair(1, "x"),
        key=uuidlib.UUID("5deaa894-2094-4da3-b4fd-1fada0809d1c"), at=at, blob=b"\x00\xff", wait=dt.timedelta(hours=1, seconds=1.5), day=at.date())
    written = models.params(row)
    columns = ", ".join(f'"{c}"' for c in written)
    with db.connection(built) as conn:
        models.register_types(conn)
        conn.execute(f"insert into app.everything ({columns}) values ({', '.join(['%s'] * len(written))})", list(written.values()))
        body = json.dumps(models.payload(row))  # what supabase-py would send
        same = conn.execute("select to_jsonb(e) = to_jsonb(p) from app.everything e, json_populate_record(null::app.everything, %s::json) p", (body,)).fetchone()[0]
    assert same, body


def test_pydantic_reads_postgrest_json_of_every_kind_as_psycopg_does(tmp_path, scratch, monkeypatch):
    """PostgREST's JSON of a row (to_json: ranges, multiranges, intervals and bytea as PostgreSQL
    text, a composite as an object, numeric as a number) validates into the same value psycopg
    loads; a dump goes back to the same value; the TypedDict accepts the JSON strictly."""
    from pydantic import TypeAdapter
    built, models = everything(tmp_path, scratch, "doc: jsonb; price: numeric(10, 2); mood: app.mood; moods: app.mood[]; during: tstzrange;"
                                               " days: datemultirange; nums: int4range; pair: app.pair; key: uuid; at: timestamptz; blob: bytea;"
                                               " wait: interval; day: date; addr: inet; from: text")
    monkeypatch.setitem(sys.modules, models.__name__, models)  # pydantic resolves annotations through it
    with db.connection(built) as conn:
        conn.execute("""insert into app.everything values
          (1, '{"k": [1, null]}', 12.50, 'sad', '{happy,sad}', '["2026-12-04 10:30:00+00","2026-12-04 11:30:00.5+00")',
           '{[2026-01-01,2026-01-05),[2026-02-01,)}', 'empty', '(1,"a, \\"b\\"")', '5deaa894-2094-4da3-b4fd-1fada0809d1c',
           '2026-12-04 10:30:00+01', '\\x00ff', '1 year 2 mons 3 days -04:05:06.5', '2026-12-04', '10.0.0.1/8', 'x'),
          (2, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null)""")
        models.register_types(conn)
        with conn.cursor(row_factory=models.row_factory(models.Everything)) as cur:
            expected = cur.execute("select * from app.everything order by id").fetchall()
        rows = [json.loads(r[0]) for r in conn.execute("select to_json(e)::text from app.everything e order by id")]
    adapter = TypeAdapter(models.Everything)
    assert [adapter.validate_python(r) for r in rows] == expected
    assert [adapter.validate_json(json.dumps(r)) for r in rows] == expected
    assert [adapter.validate_json(adapter.dump_json(r, by_alias=True)) for r in expected] == expected
    shape = TypeAdapter(models.EverythingDict)
    assert [shape.validate_python(r, strict=True) for r in rows] == rows
