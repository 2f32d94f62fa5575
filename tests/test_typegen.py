"""typegen: the type table, the optional-field rules, the project's committed models (current,
`mypy --strict` and `pyright --strict` clean, filled by real rows with class_row, read by pydantic
from PostgREST's JSON, its TypedDicts and .rpc() signatures as PostgREST answers), and
model/database parity."""
from __future__ import annotations

import dataclasses
import datetime
import decimal
import importlib.util
import ipaddress
import json
import typing
import shutil
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from psycopg import sql
from pydantic import TypeAdapter, ValidationError

from tickets_db import db
from tickets_db.config import load_project
from tickets_db.errors import SchemaError
from tickets_db.introspect import Scope, introspect
from tickets_db.loader import load_files
from tickets_db.planner import apply_catalog, models
from tickets_db.target import Target
from tickets_db.typegen import generate
from tickets_db.typegen.naming import field_name, member_name, pascal
from tickets_db.typegen.pytypes import annotation

from .conftest import MAKERKIT, OWNER, ROOT, acting_as

import tickets_db_models.models as m  # the project's committed, generated module


@pytest.mark.parametrize(
    "pg_type, expected",
    [
        ("uuid", "_uuid.UUID"),
        ("text", "str"),
        ("varchar(255)", "str"),
        ("character varying(255)", "str"),
        ("char(3)", "str"),
        ("citext", "str"),
        ("int2", "int"),
        ("smallint", "int"),
        ("int", "int"),
        ("integer", "int"),
        ("int8", "int"),
        ("bigint", "int"),
        ("serial", "int"),
        ("bigserial", "int"),
        ("numeric", "_decimal.Decimal"),
        ("numeric(10,2)", "_decimal.Decimal"),
        ("real", "float"),
        ("double precision", "float"),
        ("boolean", "bool"),
        ("bool", "bool"),
        ("date", "_dt.date"),
        ("time", "_dt.time"),
        ("time with time zone", "_dt.time"),
        ("timestamp", "_dt.datetime"),
        ("timestamp without time zone", "_dt.datetime"),
        ("timestamptz", "_dt.datetime"),
        ("timestamp(3) with time zone", "_dt.datetime"),
        ("interval", "PgInterval"),
        ("json", "JsonValue"),
        ("jsonb", "JsonValue"),
        ("bytea", "PgBytes"),
        ("inet", "_ipaddress.IPv4Address | _ipaddress.IPv6Address | _ipaddress.IPv4Interface | _ipaddress.IPv6Interface"),
        ("cidr", "_ipaddress.IPv4Network | _ipaddress.IPv6Network"),
        ("text[]", "list[str]"),
        ("integer[][]", "list[list[int]]"),
        ("character varying(50)[]", "list[str]"),
        ("public.ticket_status", "TicketStatus"),
        ("ticket_status", "TicketStatus"),
        ("public.ticket_status[]", "list[TicketStatus]"),
        ("public.email", "str"),  # a domain over text
        ("public.accounts", "Account"),  # a table's row type
        ("money", "str"),  # psycopg has no money loader
        ("tsvector", "str"),
        ("void", "None"),
    ],
)
def test_type_table(pg_type, expected):
    user_types = {"public.ticket_status": "TicketStatus", "public.email": "str", "public.accounts": "Account"}
    assert annotation(pg_type, user_types) == expected


def test_types_are_what_psycopg_returns(migrated_db):
    """The table above is checked against psycopg itself, one value per type."""
    namespace = {"_uuid": uuid, "_decimal": decimal, "_dt": datetime, "_ipaddress": ipaddress, "PgInterval": datetime.timedelta, "PgBytes": bytes}
    samples = {
        "uuid": "gen_random_uuid()", "varchar(5)": "'abc'", "int2": "1", "int8": "1", "numeric(10,2)": "1.5",
        "double precision": "1.5", "boolean": "true", "date": "current_date", "time": "current_time::time",
        "timestamptz": "now()", "timestamp": "now()::timestamp", "interval": "interval '1 day'", "bytea": "'\\x00'::bytea",
        "inet": "'10.0.0.1'", "cidr": "'10.0.0.0/8'", "text[]": "array['a']", "money": "12.5::money",
    }
    with db.connection(migrated_db) as conn:
        for pg_type, expr in samples.items():
            value = conn.execute(f"select ({expr})::{pg_type}").fetchone()[0]
            ann = annotation(pg_type, {})
            element = ann.removeprefix("list[").removesuffix("]")
            allowed = tuple(eval(part.strip(), namespace) for part in element.split("|"))
            checked = value[0] if ann.startswith("list[") else value
            assert isinstance(checked, allowed), (pg_type, type(value), ann)


def test_names():
    assert pascal("tickets", singularize=True) == "Ticket"
    assert pascal("accounts_memberships", singularize=True) == "AccountsMembership"
    assert pascal("role_permissions", singularize=True) == "RolePermission"
    assert pascal("statuses", singularize=True) == "Status"
    assert pascal("app_permissions") == "AppPermissions"
    assert field_name("from") == "from_" and field_name("created at") == "created_at" and field_name("id") == "id"
    assert member_name("tickets.update") == "TICKETS_UPDATE" and member_name("lemon-squeezy") == "LEMON_SQUEEZY"


SCHEMA = """
schemas:
  public: {external: true}
  app: {}
  other: {}
enums:
  app.mood: {values: [happy, "so-so", sad]}
domains:
  app.email: {type: varchar(320), check: "value ~ '@'"}
  app.quantity: {type: integer, not_null: true, default: "1", check: value > 0}
tables:
  app.things:
    columns:
      id: {type: bigint, identity: always}
      code: {type: text, primary_key: true}
      name: {type: varchar(20), not_null: true}
      nickname: text
      mood: {type: app.mood, not_null: true, default: "'happy'"}
      moods: "app.mood[]"
      price: {type: "numeric(10,2)", not_null: true, default: "0"}
      doubled: {type: numeric, generated: price * 2}
      serial_no: {type: serial}
      "from": text
      contact: app.email
      qty: app.quantity
      happened: {type: "timestamp(3) with time zone"}
  other.things:
    columns:
      id: {type: int, primary_key: true}
views:
  app.thing_names:
    query: |
      select t.code, t.name, t.nickname, o.id as other_id, count(*) over () as total
      from app.things t left join other.things o on o.id = t.id
"""


def project_module(tmp_path: Path, text: str = SCHEMA) -> str:
    (tmp_path / "s.yaml").write_text(textwrap.dedent(text))
    return generate(load_files([tmp_path / "s.yaml"], tmp_path))


def fields(source: str, cls: str) -> dict[str, str]:
    """`name: annotation [= default]` lines of one generated class."""
    block = source.split(f"\nclass {cls}(_Model):\n", 1)[1].split("\n\n\n", 1)[0]
    out = {}
    for line in block.splitlines():
        line = line.strip()
        if ": " in line and not line.startswith(('"""', "RELATION")):
            name, rest = line.split(": ", 1)
            out[name] = rest
    return out


def insert_of(source: str) -> dict[str, str]:
    return fields(source, "AppThingInsert")


def test_nullability_and_default_rules(tmp_path):
    source = project_module(tmp_path)
    row = fields(source, "AppThing")
    assert row["id"] == "int" and row["code"] == "str"  # identity and primary key columns are never null
    assert row["name"] == "str" and row["nickname"] == "str | None"
    assert row["mood"] == "Mood" and row["moods"] == "list[Mood] | None"
    assert row["price"] == "_decimal.Decimal" and row["doubled"] == "_decimal.Decimal | None"
    assert row["from_"].startswith("str | None = field(")  # keeps its column name for row_factory
    assert row["contact"] == "str | None" and row["qty"] == "int"  # domains read as their base type
    assert insert_of(source)["qty"] == "int | Unset = UNSET"  # NOT NULL, but the domain's default fills it
    assert row["happened"] == "_dt.datetime | None"
    insert = fields(source, "AppThingInsert")
    assert list(insert)[:2] == ["code", "name"]  # required first
    assert insert["code"] == "str" and insert["name"] == "str"
    assert "id" not in insert and "doubled" not in insert  # identity always, generated: not writable
    assert insert["nickname"] == "str | None | Unset = UNSET"
    assert insert["mood"] == "Mood | Unset = UNSET"  # a default, but never null
    assert insert["serial_no"] == "int | Unset = UNSET"  # serial: not null, with a default
    assert row["serial_no"] == "int"
    update = fields(source, "AppThingUpdate")
    assert update["name"] == "str | Unset = UNSET" and update["nickname"] == "str | None | Unset = UNSET"
    # two schemas with a `things` table: both names are schema-qualified
    assert "class OtherThing(_Model):" in source
    # a view: plain references to NOT NULL columns stay non-null, the outer side of a join not
    view = fields(source, "ThingName")
    assert view == {"code": "str", "name": "str", "nickname": "str | None", "other_id": "int | None", "total": "int"}


def test_model_and_database_agree_on_a_varied_schema(tmp_path, empty_db):
    """Identity, generated, serial, domains, enums in arrays, keyword columns, a view over an
    outer join: the file from the YAML equals the file from the database the YAML builds."""
    (tmp_path / "s.yaml").write_text(textwrap.dedent(SCHEMA))
    catalog = load_files([tmp_path / "s.yaml"], tmp_path)
    with db.connection(empty_db) as conn:
        apply_catalog(conn, catalog)
        live = introspect(conn, Scope.of(catalog))
    assert live.domains and generate(live) == generate(catalog)


def test_enum_values_and_import(tmp_path):
    source = project_module(tmp_path)
    path = tmp_path / "models.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("scratch_models", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["scratch_models"] = module
    spec.loader.exec_module(module)
    assert [e.value for e in module.Mood] == ["happy", "so-so", "sad"]
    assert module.Mood.SO_SO == "so-so"
    insert = module.AppThingInsert(code="a", name="b", nickname=None)
    assert module.set_fields(insert) == {"code": "a", "name": "b", "nickname": None}
    assert module.set_fields(module.AppThingUpdate(from_="x")) == {"from": "x"}


def test_tables_named_like_the_modules_own_names_keep_them_working(tmp_path):
    """A table `connections` would make a class `Connection` that hides psycopg's in every
    wrapper's signature; it gets its schema's prefix instead (so do `unsets`, `json_values`)."""
    source = project_module(tmp_path, """
        schemas:
          public: {external: true}
          app: {}
        tables:
          app.connections: {columns: {id: {type: integer, primary_key: true}}}
          app.unsets: {columns: {id: {type: integer, primary_key: true}}}
          app.json_values: {columns: {id: {type: integer, primary_key: true}}}
    """)
    assert "class AppConnection(_Model):" in source and "class AppUnset(_Model):" in source and "class AppJsonValue(_Model):" in source
    assert "\nclass Connection" not in source and "from psycopg import Connection" in source


def test_view_column_that_cannot_be_typed_is_an_error(tmp_path):
    text = SCHEMA + "  app.odd:\n    query: select some_function(1) as x\n"
    with pytest.raises(SchemaError) as info:
        project_module(tmp_path, text)
    assert "app.odd" in info.value.message and "cast" in (info.value.hint or "")


def test_jsonb_override(tmp_path):
    text = "schemas:\n  app: {}\ntables:\n  app.settings:\n    columns:\n      id: {type: int, primary_key: true}\n      data: {type: jsonb, not_null: true}\n"
    (tmp_path / "s.yaml").write_text(text)
    source = generate(load_files([tmp_path / "s.yaml"], tmp_path), {"app.settings.data": "myapp.types.Settings"})
    assert "from myapp.types import Settings" in source
    assert fields(source, "Setting")["data"] == "Settings"


# --- the project's own module -------------------------------------------------------------


def test_committed_models_are_current():
    project = load_project(ROOT)
    assert project.typegen_output.read_text() == models(project), "run `tickets-db typegen`"


def test_committed_models_pass_mypy_strict():
    if shutil.which("mypy", path=str(Path(sys.executable).parent)) is None:
        pytest.fail("mypy is part of the test dependencies")
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(load_project(ROOT).typegen_output)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


PYRIGHT = ROOT / "node_modules" / ".bin" / "pyright"


def pyright_strict(path: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """pyright (npm, installed by `make install`) in strict mode on one file, with this Python's packages."""
    assert PYRIGHT.exists(), "pyright is installed by `make install` (npm ci)"
    config = tmp_path / "pyrightconfig.json"
    config.write_text(json.dumps({"typeCheckingMode": "strict"}))
    return subprocess.run([str(PYRIGHT), "-p", str(config), "--pythonpath", sys.executable, str(path)], capture_output=True, text=True)


def test_committed_models_pass_pyright_strict(tmp_path):
    result = pyright_strict(load_project(ROOT).typegen_output, tmp_path)
    assert result.returncode == 0 and "0 errors" in result.stdout, result.stdout + result.stderr


def test_model_and_database_give_the_same_file(seeded_db, cluster):
    project = load_project(ROOT)
    assert models(project, Target(seeded_db, False, project)) == models(project)


def row_classes():
    classes = [c for name, c in vars(m).items() if dataclasses.is_dataclass(c) and hasattr(c, "RELATION") and not name.endswith(("Insert", "Update"))]
    assert len(classes) == 17  # 15 tables, 2 views
    return classes


@pytest.mark.parametrize("cls", row_classes(), ids=lambda c: c.__name__)
def test_rows_fill_every_row_class(seeded_db, cls):
    with db.connection(seeded_db) as conn, acting_as(conn, OWNER):  # views show the caller's rows
        conn.execute("set local role postgres")  # tables: every row, past RLS
        if cls.RELATION.startswith("public.user_"):
            conn.execute("set local role authenticated")
        with conn.cursor(row_factory=m.row_factory(cls)) as cur:
            rows = cur.execute(f"select * from {cls.RELATION}").fetchall()
    assert rows, f"the seed leaves {cls.RELATION} empty"
    for row in rows:
        for f in dataclasses.fields(cls):
            value = getattr(row, f.name)
            assert value is not None or "None" in str(f.type), (cls.__name__, f.name)


@pytest.mark.parametrize("cls", row_classes(), ids=lambda c: c.__name__)
def test_pydantic_reads_postgrest_rows_as_psycopg_reads_them(seeded_db, cls):
    """Each row class validates PostgREST's JSON of every seeded row into the same value psycopg
    gives; the TypedDict of the same relation accepts it strictly, and a dump reads back equal."""
    with db.connection(seeded_db) as conn, acting_as(conn, OWNER):
        conn.execute("set local role postgres")
        if cls.RELATION.startswith("public.user_"):
            conn.execute("set local role authenticated")
        m.register_enums(conn)
        with conn.cursor(row_factory=m.row_factory(cls)) as cur:
            expected = cur.execute(f"select * from {cls.RELATION} order by 1").fetchall()
    with db.connection(seeded_db) as conn, acting_as(conn, OWNER):
        conn.execute("set local role postgres")
        if cls.RELATION.startswith("public.user_"):
            conn.execute("set local role authenticated")
        rows = [json.loads(r[0]) for r in conn.execute(f"select to_json(r)::text from (select * from {cls.RELATION} order by 1) r")]
    adapter = TypeAdapter(cls)
    assert [adapter.validate_python(r) for r in rows] == expected
    assert [adapter.validate_json(adapter.dump_json(r, by_alias=True)) for r in expected] == expected
    shape = TypeAdapter(getattr(m, cls.__name__ + "Dict"))
    assert [shape.validate_python(r, strict=True) for r in rows] == rows


def test_pydantic_insert_shapes_leave_unset_out():
    """UNSET is not a value: it is not in the JSON schema, not required, and not in a dump."""
    adapter = TypeAdapter(m.TicketInsert)
    schema = adapter.json_schema()
    assert "UNSET" not in json.dumps([schema["properties"], schema["$defs"]]) and schema["required"] == ["account_id", "title"]
    ticket = adapter.validate_python({"account_id": MAKERKIT, "title": "Printer on fire", "priority": "high"})
    assert ticket.status is m.UNSET and ticket.priority == m.TicketPriority.HIGH
    assert json.loads(adapter.dump_json(ticket)) == {"account_id": MAKERKIT, "title": "Printer on fire", "priority": "high"}
    assert typing.get_type_hints(m.AccountInsert)["public_data"] == typing.Union[m.JsonValue, m.Unset]
    with pytest.raises(ValidationError):
        adapter.validate_python({"account_id": MAKERKIT, "title": "x", "status": "UNSET"})
    with pytest.raises(ValidationError):
        TypeAdapter(m.TicketInsertDict).validate_python({"title": "no account"})


class PostgrestLike:
    """What supabase-py's `client.schema(s).rpc(f, args).execute().data` gets, done as PostgREST
    does it on one connection: the body's keys as named arguments, the result as JSON (a set of
    rows an array, one value itself)."""

    def __init__(self, conn):
        self.conn = conn

    def schema(self, name):
        self.schema_name = name
        return self

    def rpc(self, function, args):
        self.call = (function, args)
        return self

    def execute(self):
        function, args = self.call
        named = sql.SQL(", ").join(sql.SQL("{} => {}").format(sql.Identifier(k), sql.Placeholder()) for k in args)
        name = sql.Identifier(self.schema_name, function)
        returns_set = self.conn.execute("select p.proretset from pg_proc p where p.oid = %s::regproc", (f"{self.schema_name}.{function}",)).fetchone()[0]
        query = sql.SQL("select coalesce(json_agg(r), '[]') from {}({}) r" if returns_set else "select to_json(r) from {}({}) r")
        text = self.conn.execute(sql.SQL("select ({})::text").format(query.format(name, named)), list(args.values())).fetchone()[0]
        self.data = json.loads(text)
        return self


def test_rpc_signatures_match_what_postgrest_returns(seeded_db):
    """Each typed rpc_ call sends its TypedDict of arguments and its declared return type validates
    (strictly) what PostgREST answers."""
    def check(function, args):
        answer = function(client, args)
        returns = typing.get_type_hints(function)["return"]
        assert TypeAdapter(returns).validate_python(answer, strict=True) == answer
        return answer

    with db.connection(seeded_db) as conn, acting_as(conn, OWNER):
        client = PostgrestLike(conn)
        assert check(m.rpc_has_role_on_account, {"account_id": MAKERKIT}) is True
        members = check(m.rpc_get_account_members, {"account_slug": "makerkit"})
        assert len(members) == 2 and {"user_id", "role", "email"} <= set(members[0])
        assert isinstance(check(m.rpc_get_remaining_tickets, {"target_account_id": MAKERKIT}), int)
        team = check(m.rpc_create_team_account, {"account_name": "Rpc Team"})
        assert team["slug"] == "rpc-team"
    assert set(typing.get_type_hints(m.HasRoleOnAccountArgs)) == {"account_id", "account_role"}
    assert m.HasRoleOnAccountArgs.__required_keys__ == {"account_id"}


def test_register_enums_returns_members(seeded_db):
    with db.connection(seeded_db) as conn:
        plain = conn.execute("select status from public.tickets limit 1").fetchone()[0]
        assert type(plain) is str and plain in set(m.TicketStatus)
        m.register_enums(conn)
        with conn.cursor(row_factory=m.row_factory(m.Ticket)) as cur:
            ticket = cur.execute("select * from public.tickets where title = 'Billing discrepancy'").fetchone()
        assert ticket.status is m.TicketStatus.OPEN and ticket.priority is m.TicketPriority.MEDIUM


def test_enum_members_equal_the_database_enums(seeded_db):
    with db.connection(seeded_db) as conn:
        for name, cls in m.ENUMS.items():
            labels = conn.execute(f"select enum_range(null::{name})::text[]").fetchone()[0]
            assert [member.value for member in cls] == labels


def test_function_wrappers_as_a_user(seeded_db):
    with db.connection(seeded_db) as conn, acting_as(conn, OWNER):
        assert m.has_role_on_account(conn, account_id=uuid.UUID(MAKERKIT)) is True
        assert m.has_role_on_account(conn, account_id=uuid.UUID(MAKERKIT), account_role="owner") is True
        assert m.has_permission(conn, user_id=uuid.UUID(OWNER), account_id=uuid.UUID(MAKERKIT), permission_name=m.AppPermissions.TICKETS_UPDATE) is True
        members = m.get_account_members(conn, account_slug="makerkit")
        assert {type(x) for x in members} == {m.GetAccountMembersResult} and len(members) == 2
        assert isinstance(m.get_remaining_tickets(conn, target_account_id=uuid.UUID(MAKERKIT)), int)
        team = m.create_team_account(conn, account_name="Typed Team")
        assert isinstance(team, m.Account) and team.slug == "typed-team"


def test_readme_example_runs(seeded_db, monkeypatch, capsys):
    """The README's example, as written, against the seeded database."""
    readme = (ROOT / "README.md").read_text()
    code = readme.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.setenv("DATABASE_URL", seeded_db)
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), namespace)
    tickets = namespace["tickets"]
    assert tickets and all(isinstance(t, m.Ticket) and t.status is m.TicketStatus.OPEN for t in tickets)
    assert "Billing discrepancy" in capsys.readouterr().out
