"""The one in-memory model of a database catalog. The YAML loader and catalog introspection both
produce it; diff, render, typegen and lint consume it. No SQL is built here.

Objects compare by value. `origin` (where the YAML declared it) never takes part in equality, so
a model loaded from YAML and one read from a database compare on what PostgreSQL would store."""
from __future__ import annotations

from dataclasses import dataclass, field

PRIVILEGES = ("select", "insert", "update", "delete", "truncate", "references", "trigger")


def privilege_order(privileges: "set[str] | list[str] | tuple[str, ...]") -> tuple[str, ...]:
    """The order SQL is usually written in (select, insert, update, delete, …)."""
    rank = {p: i for i, p in enumerate(("usage", *PRIVILEGES, "create", "execute"))}
    return tuple(sorted(privileges, key=lambda p: rank.get(p, 99)))


# `serial` and friends: an integer type with a sequence default, NOT NULL without saying so.
SERIALS = {"serial": "integer", "serial4": "integer", "bigserial": "bigint", "serial8": "bigint", "smallserial": "smallint", "serial2": "smallint"}


IDENTITY_OPTIONS = ("start", "increment", "minvalue", "maxvalue", "cache", "cycle")
SEQUENCE_PRIVILEGES = ("usage", "select", "update")
# The bounds of the integer types a sequence can have (its default maxvalue / minvalue).
INTEGER_BOUNDS = {"smallint": ("-32768", "32767"), "integer": ("-2147483648", "2147483647"), "bigint": ("-9223372036854775808", "9223372036854775807")}


def identity_choices(values: dict[str, str], type_min: str | None = None, type_max: str | None = None) -> tuple[tuple[str, str], ...]:
    """The options among `values` that are not PostgreSQL's defaults for an identity sequence,
    in IDENTITY_OPTIONS order: what the YAML writes and the database is read as. The bounds
    of the column's type are defaults too where known (the database read knows them)."""
    ascending = not values.get("increment", "1").startswith("-")
    defaults = {"increment": "1", "cache": "1", "cycle": "false"}
    if ascending:
        defaults["minvalue"] = "1"
        if type_max:
            defaults["maxvalue"] = type_max
    else:
        defaults["maxvalue"] = "-1"
        if type_min:
            defaults["minvalue"] = type_min
    defaults["start"] = values.get("minvalue", defaults.get("minvalue", "1")) if ascending else values.get("maxvalue", defaults["maxvalue"])
    return tuple((k, values[k]) for k in IDENTITY_OPTIONS if k in values and defaults.get(k) != values[k])

# Settings whose value is a list of names: PostgreSQL stores `set search_path = ''` as `""` and
# `public, extensions` as is; the model holds the text the YAML writes (`''`, `public, extensions`).
LIST_SETTINGS = frozenset({"search_path", "temp_tablespaces", "session_preload_libraries", "local_preload_libraries"})


def split_origin(origin: str | None) -> tuple[str, int | None]:
    """`schema/x.yaml:12` → ("schema/x.yaml", 12): where the YAML declared something."""
    file, _, line = (origin or "").rpartition(":")
    if not line.isdigit():
        return origin or "schema", None
    return file, int(line)


def qualify(name: str, default_schema: str = "public") -> str:
    return name if "." in name else f"{default_schema}.{name}"


def split(qualname: str) -> tuple[str, str]:
    schema, _, name = qualname.partition(".")
    return schema, name


@dataclass(frozen=True, slots=True)
class Grant:
    """Privileges one role holds on an object (exactly these: grants are declarative)."""

    role: str
    privileges: tuple[str, ...]
    grantable: tuple[str, ...] = ()  # those of `privileges` held WITH GRANT OPTION


@dataclass(frozen=True, slots=True)
class Schema:
    name: str
    # None: the platform's to set (an external schema whose YAML says nothing about privileges)
    grants: tuple[Grant, ...] | None = ()
    comment: str | None = None
    external: bool = field(default=False, compare=False)
    origin: str | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Extension:
    name: str
    schema: str
    origin: str | None = field(default=None, compare=False)
    # The version installed (as read), or the one the YAML pins (`alter extension … update to`
    # when it differs); None in the YAML: whatever the server installs by default.
    version: str | None = field(default=None, compare=False)
    pinned: bool = field(default=False, compare=False)  # read: not the server's default version
    # Installed by the platform (pg_cron, pg_net, vault…): referenced, never created or dropped.
    external: bool = field(default=False, compare=False)
    comment: str | None = None  # None: the one the extension gives itself
    own_comment: str | None = field(default=None, compare=False)  # that one (as read)


@dataclass(frozen=True, slots=True)
class Enum:
    schema: str
    name: str
    values: tuple[str, ...]
    comment: str | None = None
    external: bool = field(default=False, compare=False)
    # Who may use it: None is PostgreSQL's default (everyone); listed, exactly these roles.
    grants: tuple[Grant, ...] | None = None
    origin: str | None = field(default=None, compare=False)

    @property
    def qualname(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True)
class Composite:
    """A composite type (`create type s.t as (a int, b text)`): a row shape for functions'
    arguments and results, columns and arrays. Attributes are (name, type), in order."""

    schema: str
    name: str
    attributes: tuple[tuple[str, str], ...]
    comment: str | None = None
    external: bool = field(default=False, compare=False)
    # Who may use it: None is PostgreSQL's default (everyone); listed, exactly these roles.
    grants: tuple[Grant, ...] | None = None
    origin: str | None = field(default=None, compare=False)

    @property
    def qualname(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True)
class Range:
    """A range type over a subtype (and the multirange type PostgreSQL makes with it)."""

    schema: str
    name: str
    subtype: str
    multirange: str  # the multirange type's name, in the same schema
    subtype_diff: str | None = None  # a function: lets GiST indexes measure distances
    comment: str | None = None
    external: bool = field(default=False, compare=False)
    # Who may use it: None is PostgreSQL's default (everyone); listed, exactly these roles.
    grants: tuple[Grant, ...] | None = None
    origin: str | None = field(default=None, compare=False)

    @property
    def qualname(self) -> str:
        return f"{self.schema}.{self.name}"


def default_multirange(name: str) -> str:
    """The multirange type's name PostgreSQL gives when none is asked for: `range` in the
    range's name becomes `multirange`, else `_multirange` is appended."""
    return name.replace("range", "multirange", 1) if "range" in name else f"{name}_multirange"


@dataclass(frozen=True, slots=True)
class Sequence:
    """A sequence of its own (a serial's or an identity's comes with its column). `options`
    are the ones that are not PostgreSQL's defaults for its type (see identity_choices)."""

    schema: str
    name: str
    type: str = "bigint"
    options: tuple[tuple[str, str], ...] = ()
    owned_by: str | None = None  # schema.table.column: dropped with that column
    grants: tuple[Grant, ...] = ()
    comment: str | None = None
    origin: str | None = field(default=None, compare=False)

    @property
    def qualname(self) -> str:
        return f"{self.schema}.{self.name}"


def type_grants(grants: tuple[Grant, ...]) -> tuple[Grant, ...] | None:
    """A type's privileges as read: None when they are PostgreSQL's default (public may use it)."""
    return None if grants == (Grant("public", ("usage",)),) else grants


def sequence_choices(values: dict[str, str], type_name: str) -> tuple[tuple[str, str], ...]:
    """A sequence's options that are not the defaults for its type."""
    low, high = INTEGER_BOUNDS.get(type_name, INTEGER_BOUNDS["bigint"])
    return identity_choices(values, low, high)


@dataclass(frozen=True, slots=True)
class Collation:
    """`create collation`: ICU (`und-u-ks-level2`, maybe not deterministic) or libc (`C`)."""

    schema: str
    name: str
    locale: str
    provider: str = "libc"  # libc | icu
    ctype: str | None = None  # libc: an LC_CTYPE that differs from LC_COLLATE (`locale`)
    deterministic: bool = True
    comment: str | None = None
    origin: str | None = field(default=None, compare=False)

    @property
    def qualname(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True)
class Domain:
    """A named type over a base type, with its own NOT NULL, default and check (`value ~ '@'`)."""

    schema: str
    name: str
    type: str
    not_null: bool = False
    default: str | None = None
    check: str | None = None
    comment: str | None = None
    # Who may use it: None is PostgreSQL's default (everyone); listed, exactly these roles.
    grants: tuple[Grant, ...] | None = None
    origin: str | None = field(default=None, compare=False)

    @property
    def qualname(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str
    not_null: bool = False
    default: str | None = None
    identity: str | None = None  # "always" | "by default"
    generated: str | None = None  # stored generated expression
    comment: str | None = None
    grants: tuple[Grant, ...] = ()  # column privileges (select, insert, update, references)
    collation: str | None = None  # when not the type's own
    # The identity's sequence options that differ from PostgreSQL's defaults, in IDENTITY_OPTIONS order.
    identity_options: tuple[tuple[str, str], ...] = ()
    # Privileges on a serial's or identity's sequence; None in the YAML: whatever the default
    # privileges gave it (hosted Supabase's give the API roles everything, setval included).
    sequence_grants: tuple[Grant, ...] | None = None
    sequence: str | None = field(default=None, compare=False)  # that sequence's name, as read
    # How to get here from the previous version (YAML hints for `new`, not part of the catalog).
    renamed_from: str | None = field(default=None, compare=False)
    using: str | None = field(default=None, compare=False)  # conversion for a type change

    @property
    def serial(self) -> bool:
        return self.type.strip().lower() in SERIALS


@dataclass(frozen=True, slots=True)
class Constraint:
    """Primary key, unique, foreign key or check. `inline` is a rendering preference only."""

    name: str
    kind: str  # "primary_key" | "unique" | "foreign_key" | "check" | "exclude"
    columns: tuple[str, ...] = ()
    ref_table: str | None = None
    ref_columns: tuple[str, ...] = ()
    on_delete: str | None = None
    on_update: str | None = None
    expression: str | None = None
    inline: bool = field(default=False, compare=False)
    deferrable: bool = False
    initially_deferred: bool = False
    not_valid: bool = False  # existing rows not checked yet (`validate constraint` checks them)
    no_inherit: bool = False  # a check that does not pass to child tables
    comment: str | None = None

    @property
    def options(self) -> bool:
        """Anything beyond the plain constraint: written as a named table constraint."""
        return self.deferrable or self.initially_deferred or self.not_valid or self.no_inherit or self.comment is not None


@dataclass(frozen=True, slots=True)
class Index:
    name: str
    columns: tuple[str, ...]  # column names or expressions
    unique: bool = False
    method: str = "btree"
    where: str | None = None
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    command: str = "all"
    roles: tuple[str, ...] = ("public",)
    permissive: bool = True
    using: str | None = None
    with_check: str | None = None
    origin: str | None = field(default=None, compare=False)
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class TriggerEvent:
    event: str  # insert | update | delete | truncate
    columns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Trigger:
    name: str
    timing: str  # before | after | instead of
    events: tuple[TriggerEvent, ...]
    function: str  # schema-qualified function name
    level: str = "row"  # row | statement
    when: str | None = None
    arguments: tuple[str, ...] = ()
    origin: str | None = field(default=None, compare=False)
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Table:
    schema: str
    name: str
    columns: tuple[Column, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    indexes: tuple[Index, ...] = ()
    grants: tuple[Grant, ...] = ()
    rls: bool = False
    force_rls: bool = False
    policies: tuple[Policy, ...] = ()
    triggers: tuple[Trigger, ...] = ()
    comment: str | None = None
    # Platform tables (auth.users, storage.objects…) are referenced, not owned: only the
    # policies and triggers the project attaches to them are managed.
    external: bool = field(default=False, compare=False)
    origin: str | None = field(default=None, compare=False)
    lint_ignore: tuple[tuple[str, str], ...] = field(default=(), compare=False)  # (rule, why)
    renamed_from: str | None = field(default=None, compare=False)  # previous schema.name
    online: bool = field(default=False, compare=False)  # how `new` writes its changes, not what it is
    replica_identity: str = "default"  # default | full | nothing | index NAME
    unlogged: bool = False  # not written to the WAL: fast, emptied by a crash, not replicated
    partition_by: str | None = None  # a partitioned table: `range (created_at)`, `list (region)`, `hash (id)`
    partition_of: str | None = None  # a partition: of this table (its columns are the parent's) …
    partition_bound: str | None = None  # … for `from (…) to (…)` | `in (…)` | `with (modulus 4, remainder 0)` | `default`
    inherits: tuple[str, ...] = ()  # table inheritance: the parents (their columns come with them)

    @property
    def qualname(self) -> str:
        return f"{self.schema}.{self.name}"

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass(frozen=True, slots=True)
class Argument:
    name: str | None
    type: str
    default: str | None = None
    mode: str = "in"  # in | out | inout | variadic


@dataclass(frozen=True, slots=True)
class Function:
    schema: str
    name: str
    arguments: tuple[Argument, ...]
    returns: str | None  # None when returns_table is given
    body: str
    language: str = "plpgsql"
    returns_table: tuple[tuple[str, str], ...] = ()
    returns_set: bool = False
    volatility: str = "volatile"  # volatile | stable | immutable
    security_definer: bool = False
    strict: bool = False
    config: tuple[tuple[str, str], ...] = ()  # e.g. (("search_path", ""),)
    grants: tuple[Grant, ...] = ()  # execute
    comment: str | None = None
    external: bool = field(default=False, compare=False)
    origin: str | None = field(default=None, compare=False)
    lint_ignore: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    procedure: bool = False  # `call`ed, returns nothing, may commit (a procedure, not a function)

    @property
    def kind(self) -> str:
        """What DROP, GRANT and COMMENT call it."""
        return "procedure" if self.procedure else "function"

    @property
    def qualname(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def signature(self) -> tuple[str, ...]:
        """Overloads are told apart by their input argument types, as PostgreSQL does."""
        return tuple(a.type for a in self.arguments if a.mode in ("in", "inout", "variadic"))

    @property
    def identity(self) -> str:
        return f"{self.qualname}({', '.join(self.signature)})"

    @property
    def standard_body(self) -> bool:
        """A SQL-standard body (`return expr`, `begin atomic … end`): SQL itself, parsed and
        bound when the function is created, not a string. No string body can begin so."""
        words = self.body.split(None, 2)
        return self.language == "sql" and bool(words) and (words[0].lower() == "return" or [w.lower() for w in words[:2]] == ["begin", "atomic"])


@dataclass(frozen=True, slots=True)
class View:
    schema: str
    name: str
    query: str
    grants: tuple[Grant, ...] = ()
    security_invoker: bool = False
    comment: str | None = None
    security_barrier: bool = False
    check_option: str | None = None  # local | cascaded
    triggers: tuple[Trigger, ...] = ()  # instead of triggers (and statement triggers)
    # What the database says the columns are (introspection only): the query is what is compared.
    columns: tuple[Column, ...] = field(default=(), compare=False)
    materialized: bool = False  # its rows stored, refreshed by `refresh materialized view`
    indexes: tuple[Index, ...] = ()  # a materialized view's
    column_comments: tuple[tuple[str, str], ...] = ()  # (column, comment), in column name order
    origin: str | None = field(default=None, compare=False)
    lint_ignore: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @property
    def qualname(self) -> str:
        return f"{self.schema}.{self.name}"


DEFAULT_PRIVILEGES = {
    "tables": PRIVILEGES, "sequences": ("usage", "select", "update"), "functions": ("execute",), "types": ("usage",), "schemas": ("usage", "create"),
}


@dataclass(frozen=True, slots=True)
class DefaultPrivileges:
    """`alter default privileges for role R [in schema S] … on <kind>`: who gets what on the
    objects of that kind R creates later (exactly these grants)."""

    role: str
    schema: str | None  # None: everywhere
    on: str  # tables | sequences | functions | types | schemas
    grants: tuple[Grant, ...] = ()
    origin: str | None = field(default=None, compare=False)

    @property
    def identity(self) -> tuple[str, str | None, str]:
        return (self.role, self.schema, self.on)


@dataclass(frozen=True, slots=True)
class EventTrigger:
    """A function PostgreSQL runs on DDL (superusers only create them)."""

    name: str
    event: str  # ddl_command_start | ddl_command_end | sql_drop | table_rewrite
    function: str  # schema.function returning event_trigger
    tags: tuple[str, ...] = ()  # command tags it is limited to: CREATE TABLE, …
    enabled: bool = True
    comment: str | None = None
    origin: str | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class PublishedTable:
    table: str
    columns: tuple[str, ...] = ()  # all when empty
    where: str | None = None  # a row filter


@dataclass(frozen=True, slots=True)
class Publication:
    """A publication (logical replication: Supabase Realtime listens on `supabase_realtime`)."""

    name: str
    tables: tuple[PublishedTable, ...] = ()
    schemas: tuple[str, ...] = ()  # every table in these schemas
    all_tables: bool = False
    operations: tuple[str, ...] = ("insert", "update", "delete", "truncate")
    via_root: bool = False  # a partition's changes published as its root table's
    comment: str | None = None
    # The platform's (supabase_realtime): the YAML lists the project's tables in it, never creates it.
    external: bool = field(default=False, compare=False)
    origin: str | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Rows:
    """Reference rows that belong to the schema (role permissions, buckets, plans), matched by key.
    Values are kept as text, the form both YAML and the catalog can agree on."""

    table: str
    key: tuple[str, ...]
    columns: tuple[str, ...]
    values: tuple[tuple[str | None, ...], ...]
    origin: str | None = field(default=None, compare=False)
    # Where the rows were before a rename the YAML announces (read there until it has happened).
    renamed_from: str | None = field(default=None, compare=False)
    renamed_columns: tuple[tuple[str, str], ...] = field(default=(), compare=False)  # (new, old)

    def keyed(self) -> dict[tuple[str | None, ...], tuple[str | None, ...]]:
        idx = [self.columns.index(k) for k in self.key]
        return {tuple(row[i] for i in idx): row for row in self.values}


@dataclass(frozen=True, slots=True)
class Catalog:
    schemas: tuple[Schema, ...] = ()
    extensions: tuple[Extension, ...] = ()
    enums: tuple[Enum, ...] = ()
    composites: tuple[Composite, ...] = ()
    ranges: tuple[Range, ...] = ()
    collations: tuple[Collation, ...] = ()
    domains: tuple[Domain, ...] = ()
    sequences: tuple[Sequence, ...] = ()
    tables: tuple[Table, ...] = ()
    functions: tuple[Function, ...] = ()
    views: tuple[View, ...] = ()
    publications: tuple[Publication, ...] = ()
    default_privileges: tuple[DefaultPrivileges, ...] = ()
    event_triggers: tuple[EventTrigger, ...] = ()
    rows: tuple[Rows, ...] = ()
    # Roles the database provides beyond the platform's (grants and policies name them; the
    # cluster owns them, so migrations never create them).
    roles: tuple[str, ...] = ()
    # What depends on what, as the database read says (pg_depend): (dependant, dependency),
    # each named as the operations name it (`view public.v`, `function public.f(integer)`,
    # `column public.t.c`). Empty for a catalog loaded from YAML.
    depends: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def table(self, qualname: str) -> Table | None:
        return _tables_by_name(self).get(qualname)

    def enum(self, qualname: str) -> Enum | None:
        return next((e for e in self.enums if e.qualname == qualname), None)

    def view(self, qualname: str) -> View | None:
        return next((v for v in self.views if v.qualname == qualname), None)


# Lookups by name on a catalog of a thousand tables: an index per catalog object, built once.
_INDEXES: dict[int, tuple[Catalog, dict[str, Table]]] = {}


def _tables_by_name(catalog: Catalog) -> dict[str, Table]:
    found = _INDEXES.get(id(catalog))
    if found is None or found[0] is not catalog:
        if len(_INDEXES) > 32:
            _INDEXES.clear()
        index: dict[str, Table] = {}
        for t in catalog.tables:
            index.setdefault(t.qualname, t)
        found = _INDEXES[id(catalog)] = (catalog, index)
    return found[1]
