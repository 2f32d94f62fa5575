"""The YAML language, written once as data. It validates the parsed YAML with file:line errors
and produces the JSON Schema editors use (so the two can never disagree)."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from ..errors import SchemaError
from .yaml_source import YList, YMap


@dataclass(frozen=True)
class Where:
    file: str
    line: int | None
    key: str


def fail(where: Where, message: str, hint: str | None = None) -> SchemaError:
    return SchemaError(where.file, where.line, where.key, message, hint)


class Spec:
    description = ""

    def check(self, value: Any, where: Where) -> None:
        raise NotImplementedError

    def json(self) -> dict[str, Any]:
        raise NotImplementedError


@dataclass(frozen=True)
class Str(Spec):
    description: str = ""
    choices: tuple[str, ...] = ()

    def check(self, value: Any, where: Where) -> None:
        if not isinstance(value, str):
            shown = "nothing" if value is None else f"{type(value).__name__} {value!r}"
            raise fail(where, f"expected text, got {shown}", "quote the value if YAML reads it as a number, boolean or null")
        if self.choices and value.lower() not in self.choices:
            close = difflib.get_close_matches(value.lower(), self.choices, 1)
            raise fail(
                where,
                f"`{value}` is not one of: {', '.join(self.choices)}",
                f"did you mean `{close[0]}`?" if close else None,
            )

    def json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "string"}
        if self.choices:
            out["enum"] = list(self.choices)
        if self.description:
            out["description"] = self.description
        return out


@dataclass(frozen=True)
class Bool(Spec):
    description: str = ""

    def check(self, value: Any, where: Where) -> None:
        if not isinstance(value, bool):
            raise fail(where, f"expected true or false, got {value!r}")

    def json(self) -> dict[str, Any]:
        return {"type": "boolean", "description": self.description}


@dataclass(frozen=True)
class Int(Spec):
    description: str = ""

    def check(self, value: Any, where: Where) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise fail(where, f"expected a whole number, got {value!r}")

    def json(self) -> dict[str, Any]:
        return {"type": "integer", "description": self.description}


@dataclass(frozen=True)
class Scalar(Spec):
    """A row value: text, number, boolean or null."""

    description: str = ""

    def check(self, value: Any, where: Where) -> None:
        if isinstance(value, (YMap, YList)):
            raise fail(where, "expected a single value (text, number, boolean or null)")

    def json(self) -> dict[str, Any]:
        return {"type": ["string", "number", "boolean", "null"], "description": self.description}


@dataclass(frozen=True)
class List(Spec):
    item: Spec
    description: str = ""
    allow_single: bool = False  # `roles: authenticated` as well as `roles: [authenticated]`

    def check(self, value: Any, where: Where) -> None:
        if self.allow_single and not isinstance(value, YList):
            self.item.check(value, where)
            return
        if not isinstance(value, YList):
            raise fail(where, f"expected a list, got {value!r}", "write it as [a, b] or as `- a` lines")
        for i, item in enumerate(value):
            self.item.check(item, Where(where.file, value.lines[i], f"{where.key}[{i}]"))

    def json(self) -> dict[str, Any]:
        arr = {"type": "array", "items": self.item.json()}
        if self.allow_single:
            return {"anyOf": [arr, self.item.json()], "description": self.description}
        return arr | ({"description": self.description} if self.description else {})


@dataclass(frozen=True)
class Map(Spec):
    """A mapping from names (of columns, policies, tables…) to specs."""

    value: Spec
    description: str = ""

    def check(self, value: Any, where: Where) -> None:
        if not isinstance(value, YMap):
            raise fail(where, f"expected a mapping of names, got {value!r}")
        for k, v in value.items():
            self.value.check(v, Where(value.file, value.lines[k], f"{where.key}.{k}" if where.key else k))

    def json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "object", "additionalProperties": self.value.json()}
        if self.description:
            out["description"] = self.description
        return out


@dataclass(frozen=True)
class Obj(Spec):
    fields: dict[str, Spec]
    required: tuple[str, ...] = ()
    description: str = ""
    shorthand: Spec | None = None  # a bare scalar accepted in place of the mapping

    def check(self, value: Any, where: Where) -> None:
        if self.shorthand is not None and not isinstance(value, YMap):
            self.shorthand.check(value, where)
            return
        if not isinstance(value, YMap):
            raise fail(where, f"expected a mapping with keys {', '.join(self.fields)}, got {value!r}")
        for k in value:
            if k not in self.fields:
                close = difflib.get_close_matches(k, self.fields, 1)
                raise fail(
                    Where(value.file, value.lines[k], f"{where.key}.{k}" if where.key else k),
                    f"unknown key `{k}`",
                    f"did you mean `{close[0]}`?" if close else f"allowed keys: {', '.join(self.fields)}",
                )
        for k in self.required:
            if k not in value:
                raise fail(Where(value.file, value.line, where.key), f"missing required key `{k}`")
        for k, v in value.items():
            self.fields[k].check(v, Where(value.file, value.lines[k], f"{where.key}.{k}" if where.key else k))

    def json(self) -> dict[str, Any]:
        obj: dict[str, Any] = {
            "type": "object",
            "additionalProperties": False,
            "properties": {k: v.json() for k, v in self.fields.items()},
        }
        if self.required:
            obj["required"] = list(self.required)
        if self.description:
            obj["description"] = self.description
        if self.shorthand is not None:
            return {"anyOf": [obj, self.shorthand.json()]}
        return obj


ROLE_LIST = List(Str(), allow_single=True, description="role names")
def _grantable(privileges: tuple[str, ...]) -> tuple[str, ...]:
    return (*privileges, *(f"{p} with grant option" for p in privileges))


PRIVS = ("select", "insert", "update", "delete", "truncate", "references", "trigger", "all")
# `select with grant option`: the role may grant it on
GRANTS = Map(List(Str(choices=_grantable(PRIVS)), allow_single=True), description="role -> privileges (exact: roles not listed get none); `select with grant option` lets the role grant it on")
COLUMN_GRANTS = Map(List(Str(choices=_grantable(("select", "insert", "update", "references", "all"))), allow_single=True), description="role -> privileges on this column only (exact)")
TYPE_GRANTS = Map(List(Str(choices=_grantable(("usage", "all"))), allow_single=True), description="role -> usage (exact; leave out for PostgreSQL's default: everyone may use it)")
SEQUENCE_GRANTS = Map(List(Str(choices=_grantable(("usage", "select", "update", "all"))), allow_single=True), description="role -> privileges on the sequence (exact): usage lets nextval() draw from it, update setval()")
SCHEMA_GRANTS = Map(List(Str(choices=_grantable(("usage", "create", "all"))), allow_single=True), description="role -> privileges on the schema (exact)")
SQL = Str(description="a SQL expression, as you would write it in PostgreSQL")

COLUMN = Obj(
    {
        "type": Str(description="PostgreSQL type: uuid, varchar(255), public.ticket_status, text[] …"),
        "not_null": Bool(),
        "default": SQL,
        "primary_key": Bool(),
        "unique": Bool(),
        "references": Str(description="schema.table(column) or schema.table (its primary key)"),
        "on_delete": Str(choices=("cascade", "set null", "set default", "restrict", "no action")),
        "on_update": Str(choices=("cascade", "set null", "set default", "restrict", "no action")),
        "check": SQL,
        "identity": Str(choices=("always", "by default")),
        "identity_options": Obj(
            {"start": Int(), "increment": Int(), "minvalue": Int(), "maxvalue": Int(), "cache": Int(), "cycle": Bool()},
            description="the identity's sequence where it differs from PostgreSQL's defaults",
        ),
        "collation": Str(description="a collation name: C, und-x-icu, public.my_collation …"),
        "generated": SQL,
        "comment": Str(),
        "grants": COLUMN_GRANTS,
        "sequence_grants": Map(SEQUENCE_GRANTS.value, description="a serial or identity column: role -> privileges on its sequence (exact; leave out for what the default privileges give)"),
        "using": SQL,
        "renamed_from": Str(description="the column's previous name: `new` renames it (keeping its data) instead of dropping and adding"),
    },
    required=("type",),
    shorthand=Str(description="just the type"),
)

CONSTRAINT = Obj(
    {
        "primary_key": List(Str()),
        "unique": List(Str()),
        "check": SQL,
        "foreign_key": List(Str()),
        "references": Str(),
        "on_delete": COLUMN.fields["on_delete"],
        "on_update": COLUMN.fields["on_update"],
        "deferrable": Bool(description="checked at the end of the statement, or with initially_deferred at commit"),
        "initially_deferred": Bool(),
        "not_valid": Bool(description="existing rows are not checked (validate it later); new rows are"),
        "no_inherit": Bool(description="a check that child tables do not inherit"),
        "exclude": Str(description="an exclusion constraint: `using gist (room with =, during with &&)`, optionally `where (…)`"),
        "comment": Str(),
    }
)

INDEX = Obj(
    {
        "columns": List(Str(), description="column names or expressions"),
        "unique": Bool(),
        "method": Str(choices=("btree", "hash", "gin", "gist", "brin", "spgist")),
        "where": SQL,
        "comment": Str(),
    },
    required=("columns",),
)

POLICY = Obj(
    {
        "command": Str(choices=("all", "select", "insert", "update", "delete")),
        "roles": ROLE_LIST,
        "permissive": Bool(description="false makes it restrictive"),
        "using": SQL,
        "with_check": SQL,
        "comment": Str(),
    },
    required=("command",),
)

TRIGGER = Obj(
    {
        "timing": Str(choices=("before", "after", "instead of")),
        "events": List(Str(description="insert | update | delete | truncate | `update of col, col`"), allow_single=True),
        "level": Str(choices=("row", "statement")),
        "when": SQL,
        "function": Str(description="schema.function of the trigger function"),
        "arguments": List(Str()),
        "comment": Str(),
    },
    required=("timing", "events", "function"),
)

ROWS = Obj(
    {
        "key": List(Str(), allow_single=True, description="the columns that identify a row"),
        "values": List(Map(Scalar())),
    },
    required=("key", "values"),
)

LINT_IGNORE = Map(Str(description="why the rule does not apply here"), description="lint rule id → why it does not apply (`tickets-db lint` lists the ids)")

TABLE = Obj(
    {
        "lint_ignore": LINT_IGNORE,
        "renamed_from": Str(description="the table's previous schema.name: `new` renames it (keeping its rows) instead of dropping and creating"),
        "columns": Map(COLUMN),
        "constraints": Map(CONSTRAINT),
        "indexes": Map(INDEX),
        "grants": GRANTS,
        "rls": Bool(description="enable row level security"),
        "force_rls": Bool(),
        "replica_identity": Str(description="default | full | nothing | `index NAME`: what logical replication (Supabase Realtime) sends of an old row"),
        "unlogged": Bool(description="not written to the WAL: faster writes, emptied after a crash, not replicated"),
        "online": Bool(description="changes to this table keep it serving while it is big and busy: `new` writes indexes `concurrently`, constraints `not valid` then validated, `set not null` through a validated check, a volatile default backfilled in batches, under a lock_timeout with retries; a rewrite (a type change) is refused with a recipe"),
        "partition_by": Str(description="a partitioned table: range (created_at) | list (region) | hash (id)"),
        "partition_of": Str(description="a partition of this partitioned table (its columns are the parent's; give for_values or default)"),
        "for_values": Str(description="a partition's bound: from (…) to (…) | in (…) | with (modulus 4, remainder 0)"),
        "default": Bool(description="the default partition: rows no other partition takes"),
        "inherits": List(Str(), allow_single=True, description="parent tables (table inheritance): their columns come with them"),
        "policies": Map(POLICY),
        "triggers": Map(TRIGGER),
        "rows": ROWS,
        "comment": Str(),
        "external": Bool(description="provided by the platform (auth.users…): referenced, not created"),
    },
)

ARGUMENT = Obj(
    {
        "name": Str(),
        "type": Str(),
        "default": SQL,
        "mode": Str(choices=("in", "out", "inout", "variadic")),
    },
    required=("type",),
    shorthand=Str(description="`name type` or `name type default expr`"),
)

FUNCTION = Obj(
    {
        "name": Str(description="schema.name"),
        "args": List(ARGUMENT),
        "returns": Str(description="a type, `setof type`, or leave out and give returns_table"),
        "returns_table": Map(Str()),
        "language": Str(description="any language installed in the database: plpgsql (the default), sql, plv8, plpython3u …"),
        "procedure": Bool(description="a procedure (`call`ed; returns nothing; may commit) instead of a function"),
        "volatility": Str(choices=("volatile", "stable", "immutable")),
        "security": Str(choices=("invoker", "definer")),
        "strict": Bool(),
        "set": Map(Str(), description="configuration set on the function, e.g. search_path: ''"),
        "execute": ROLE_LIST,
        "body": Str(),
        "comment": Str(),
        "external": Bool(),
        "lint_ignore": LINT_IGNORE,
    },
    required=("name",),
)

VIEW = Obj(
    {
        "query": Str(),
        "grants": GRANTS,
        "security_invoker": Bool(),
        "security_barrier": Bool(description="keep the view's conditions ahead of functions a caller passes in (leak-proof row filtering)"),
        "check_option": Str(choices=("local", "cascaded"), description="refuse inserts and updates through the view that it would not show"),
        "triggers": Map(TRIGGER),
        "materialized": Bool(description="store its rows (refreshed by `refresh materialized view`, and by reset after the seeds)"),
        "indexes": Map(INDEX, description="a materialized view's indexes"),
        "comment": Str(),
        "column_comments": Map(Str(), description="column -> its comment (the view's columns are its query's)"),
        "lint_ignore": LINT_IGNORE,
    },
    required=("query",),
)

ENUM = Obj(
    {"values": List(Str()), "grants": TYPE_GRANTS, "comment": Str(), "external": Bool()},
    required=("values",),
)

DOMAIN = Obj(
    {"type": Str("the base type: text, integer, varchar(320) …"), "not_null": Bool(), "default": Str(), "check": Str("a boolean expression over `value`"), "grants": TYPE_GRANTS, "comment": Str()},
    required=("type",),
)

SEQUENCE = Obj(
    {
        "type": Str(choices=("smallint", "integer", "bigint"), description="default bigint"),
        "start": Int(), "increment": Int(), "minvalue": Int(), "maxvalue": Int(), "cache": Int(), "cycle": Bool(),
        "owned_by": Str(description="schema.table.column: the sequence is dropped with that column"),
        "grants": SEQUENCE_GRANTS,
        "comment": Str(),
    },
)

DEFAULT_PRIVILEGES_ENTRY = Obj(
    {
        "for_role": Str(description="the role whose future objects these are (postgres, which runs the migrations)"),
        "schema": Str(description="only objects created in this schema (default: everywhere)"),
        "on": Str(choices=("tables", "sequences", "functions", "types", "schemas")),
        "grants": Map(List(Str(), allow_single=True), description="role -> privileges (exact: roles not listed get none on new objects)"),
    },
    required=("for_role", "on"),
)

EVENT_TRIGGER = Obj(
    {
        "event": Str(choices=("ddl_command_start", "ddl_command_end", "sql_drop", "table_rewrite")),
        "function": Str(description="schema.function, returning event_trigger"),
        "tags": List(Str(), allow_single=True, description="only these commands: CREATE TABLE, ALTER TABLE …"),
        "enabled": Bool(description="default true"),
        "comment": Str(),
    },
    required=("event", "function"),
)

PUBLICATION = Obj(
    {
        "tables": Map(Obj({"columns": List(Str(), description="the columns to publish (default: all)"), "where": SQL}, description="{} for every row and column"),
                      description="table → {} or {columns, where}"),
        "schemas": List(Str(), description="every table in these schemas"),
        "all_tables": Bool(),
        "operations": List(Str(choices=("insert", "update", "delete", "truncate")), description="default: all four"),
        "via_root": Bool(description="publish a partition's changes as its root table's"),
        "comment": Str(),
        "external": Bool(description="the platform's (supabase_realtime): only the project's tables in it are listed here"),
    },
)

COLLATION = Obj(
    {
        "locale": Str(description="an ICU locale (und-u-ks-level2) or a libc one (C, en_US.utf8)"),
        "provider": Str(choices=("libc", "icu"), description="default libc"),
        "ctype": Str(description="libc: an LC_CTYPE other than the locale"),
        "deterministic": Bool(description="false: strings equal under the collation compare equal (case-insensitive ICU collations); icu only"),
        "comment": Str(),
    },
    required=("locale",),
)

TYPE = Obj(
    {
        "attributes": Map(Str(description="the attribute's type"), description="a composite type: attribute → type, in order"),
        "range": Str(description="a range type over this subtype (numeric, timestamptz …)"),
        "subtype_diff": Str(description="with range: a function giving the distance of two subtype values, for GiST indexes"),
        "multirange": Str(description="with range: the name of its multirange type (default: PostgreSQL's)"),
        "grants": TYPE_GRANTS,
        "comment": Str(),
        "external": Bool(description="provided by the platform or an extension: referenced, not created"),
    },
)

SCHEMA = Obj({"grants": SCHEMA_GRANTS, "comment": Str(), "external": Bool()})
EXTENSION = Obj(
    {
        "schema": Str(description="where its objects go (pg_catalog for a procedural language)"),
        "version": Str(description="pin a version (default: the server's); a different one is updated to it"),
        "external": Bool(description="installed by the platform (pg_cron, pg_net, vault…): never created or dropped by a migration"),
        "comment": Str(description="instead of the one the extension gives itself"),
    },
    required=("schema",),
)

FILE = Obj(
    {
        "schemas": Map(SCHEMA),
        "extensions": Map(EXTENSION),
        "enums": Map(ENUM),
        "types": Map(TYPE, description="composite types (attributes) and range types (range)"),
        "collations": Map(COLLATION),
        "domains": Map(DOMAIN),
        "sequences": Map(SEQUENCE, description="sequences of their own (a serial's or an identity column's come with the column)"),
        "enum_values": Map(List(Str()), description="values added to an enum declared in another file"),
        "tables": Map(TABLE),
        "functions": List(FUNCTION),
        "views": Map(VIEW),
        "default_privileges": List(DEFAULT_PRIVILEGES_ENTRY, description="what roles' future objects get (alter default privileges); only the entries listed are managed"),
        "event_triggers": Map(EVENT_TRIGGER, description="functions run on DDL (only a superuser may create one: not on hosted Supabase)"),
        "publications": Map(PUBLICATION, description="logical replication (Supabase Realtime: add tables to supabase_realtime, external: true)"),
        "policies": Map(Map(POLICY), description="table -> policies, for tables declared elsewhere"),
        "triggers": Map(Map(TRIGGER), description="table -> triggers, for tables declared elsewhere"),
        "rows": Map(ROWS, description="table -> reference rows"),
        "roles": List(Str(), description="roles the database provides beyond anon, authenticated, service_role…: grants and policies may name them; never created"),
    },
    description="A tickets-db schema file",
)


def json_schema() -> dict[str, Any]:
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "tickets-db schema file"} | FILE.json()
