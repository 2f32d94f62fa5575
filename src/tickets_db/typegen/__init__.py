"""Catalog → one Python module of typed models (templates/typegen/models.py.j2).

The same function serves the YAML's model and an introspected database, so both give the same
file for the same schema: everything here reads only what both producers fill alike (column
types are parsed, not compared as text; defaults only count as present or absent)."""
from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import SchemaError
from ..textfile import write_atomic
from ..model import Catalog, Column, Enum, Function, Table, View
from ..render import environment, qualname as sql_qualname, ident as sql_ident
from .naming import field_name, member_name, pascal, unique
from .pytypes import annotation, json_annotation, modules_used, user_type
from .views import Relations, ViewColumn, infer, relation_columns

CALLERS = frozenset({"authenticated", "public"})
NOT_CALLABLE = frozenset({"trigger", "event_trigger"})


@dataclass(frozen=True, slots=True)
class Field:
    name: str  # the Python name
    column: str  # the database name
    annotation: str
    optional: bool = False  # defaults to UNSET


@dataclass(frozen=True, slots=True)
class DataClass:
    name: str
    doc: str
    relation: str | None  # the qualified table or view, quoted for SQL
    fields: tuple[Field, ...]
    json: tuple[tuple[str, str], ...] = ()  # (column, json | jsonb): what params() wraps for psycopg


@dataclass(frozen=True, slots=True)
class EnumClass:
    name: str
    qualname: str
    members: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class CompositeClass:
    """A NamedTuple for a composite type: psycopg loads a value into it (and dumps it back as
    the type) once `register_types(conn)` has run; attributes are always nullable."""

    name: str
    qualname: str
    doc: str
    fields: tuple[Field, ...]


@dataclass(frozen=True, slots=True)
class RangeType:
    """A range type of the schema's own: psycopg loads it as a Range once registered."""

    qualname: str
    multirange: str


@dataclass(frozen=True, slots=True)
class Wrapper:
    """A typed Python function that calls a database function."""

    name: str
    doc: str
    schema: str
    function: str  # its name (composed as an identifier)
    params: tuple[tuple[Field, str | None], ...]  # (field, SQL name for named notation or None)
    shape: str  # scalar | scalars | row | rows
    result: str  # the element annotation (a class name for row shapes)


@dataclass(frozen=True, slots=True)
class DictShape:
    """A TypedDict of PostgREST's JSON: a row, what an insert or update sends, a function's
    arguments. With `total` False, `required` keys are Required and the rest may be left out."""

    name: str
    doc: str
    total: bool
    keys: tuple[tuple[str, str, bool], ...]  # (key, annotation, required)


@dataclass(frozen=True, slots=True)
class Rpc:
    """A typed `.rpc()` call for supabase-py."""

    name: str
    doc: str
    schema: str
    function: str
    args: str  # the arguments' TypedDict
    returns: str


@dataclass(frozen=True, slots=True)
class Module:
    source: str
    enums: tuple[EnumClass, ...]
    composites: tuple[CompositeClass, ...]
    ranges: tuple[RangeType, ...]
    tables: tuple[tuple[DataClass, DataClass, DataClass], ...]  # Row, Insert, Update
    views: tuple[DataClass, ...]
    results: tuple[DataClass, ...]
    callables: tuple[Wrapper, ...]
    imports: tuple[str, ...]
    overrides: tuple[str, ...]
    shapes: tuple[str, ...] = ("dataclasses",)
    literals: tuple[tuple[str, tuple[str, ...]], ...] = ()  # enum → Literal alias (name, values)
    dicts: tuple[DictShape, ...] = ()
    rpcs: tuple[Rpc, ...] = ()

    @property
    def renames(self) -> bool:
        """Whether some field is not named as its column (then `field` carries the column)."""
        classes = [c for trio in self.tables for c in trio] + list(self.views) + list(self.results)
        return any(f.name != f.column for c in classes for f in c.fields)

    @property
    def scalar_calls(self) -> bool:
        return any(c.shape in ("scalar", "scalars") for c in self.callables)

    @property
    def row_calls(self) -> bool:
        return any(c.shape in ("row", "rows") for c in self.callables)


# Names the module defines or imports itself: a table `connections` must not make a class
# `Connection` that hides psycopg's (it gets its schema's prefix instead, `PublicConnection`).
MODULE_NAMES = frozenset({
    "Annotated", "Any", "ClassVar", "Connection", "CompositeInfo", "Cursor", "Enum", "EnumInfo", "Final", "JsonValue",
    "MultirangeInfo", "NamedTuple", "PgBytes", "PgInterval", "PgMultirange", "PgRange", "RangeInfo", "RowFactory",
    "StrEnum", "TypeAlias", "TypeAliasType", "TypeVar", "Union", "Unset", "TYPE_CHECKING",
})


def generate(catalog: Catalog, overrides: dict[str, str] | None = None, shapes: tuple[str, ...] = ("dataclasses",)) -> str:
    """The module's text. `overrides` maps `schema.table.column` to a dotted Python type for
    json/jsonb columns (`myapp.types.Settings`); `shapes` says which classes to write:
    dataclasses (psycopg) and/or typeddicts (PostgREST's JSON, for supabase-py)."""
    module = build(catalog, overrides or {}, shapes)
    env = environment().overlay()
    env.filters.update(pystr=_pystr, docstring=_docstring, sqlname=sql_qualname, nullable=lambda a: a if a == "None" or a.endswith("| None") else f"{a} | None")
    text = env.get_template("typegen/models.py.j2").render(m=module)
    return text.rstrip() + "\n"


def _whole(t: Table, tables: dict[str, Table]) -> Table:
    """A table with the columns it inherits first (as `select *` returns them)."""
    inherited: list[Column] = []
    for parent in t.inherits:
        if parent in tables:
            inherited += [c for c in _whole(tables[parent], tables).columns if c.name not in {x.name for x in inherited}]
    own = [c for c in t.columns if c.name not in {x.name for x in inherited}]
    return replace(t, columns=(*inherited, *own)) if inherited else t


def build(catalog: Catalog, overrides: dict[str, str], shapes: tuple[str, ...] = ("dataclasses",)) -> Module:
    # a partition's rows are its table's (selected through it): no class of its own
    by_name = {t.qualname: t for t in catalog.tables}
    tables = sorted((_whole(t, by_name) for t in catalog.tables if not t.external and not t.partition_of), key=lambda t: t.qualname)
    views = sorted(catalog.views, key=lambda v: v.qualname)
    used = {user_type(c.type) for t in tables for c in t.columns} | {user_type(c.type) for v in views for c in v.columns}
    enums = sorted((e for e in catalog.enums if not e.external or e.qualname in used), key=lambda e: e.qualname)
    functions = sorted((f for f in catalog.functions if _callable(f)), key=lambda f: (f.qualname, tuple(a.name or "" for a in f.arguments)))

    composites = sorted((c for c in catalog.composites if not c.external), key=lambda c: c.qualname)
    ranges = sorted((r for r in catalog.ranges if not r.external), key=lambda r: r.qualname)

    relation_names = _class_names([(t.schema, t.name) for t in tables] + [(v.schema, v.name) for v in views], singular=True, taken=MODULE_NAMES)
    enum_names = _class_names([(e.schema, e.name) for e in enums], singular=False, taken={*MODULE_NAMES, *relation_names.values()})
    composite_names = _class_names([(c.schema, c.name) for c in composites], singular=False, taken={*MODULE_NAMES, *relation_names.values(), *enum_names.values()})
    user_types = {**relation_names, **enum_names, **composite_names}
    for r in ranges:  # the subtype is built in or an earlier type
        element = annotation(r.subtype, user_types)
        user_types[r.qualname] = f"PgRange[{element}]"
        user_types[f"{r.schema}.{r.multirange}"] = f"PgMultirange[{element}]"
    for dom in catalog.domains:  # a domain reads as its base type (which may be an enum)
        user_types[dom.qualname] = annotation(dom.type, user_types)
    domain_bases = {d.qualname: d.type for d in catalog.domains}
    strict_domains = frozenset(d.qualname for d in catalog.domains if d.not_null)
    defaulted_domains = frozenset(d.qualname for d in catalog.domains if d.default is not None)

    def ann(typ: str, key: str | None = None) -> str:
        if key and key in overrides:
            return overrides[key].rpartition(".")[2]
        return annotation(typ, user_types)

    composite_classes = tuple(
        CompositeClass(composite_names[c.qualname], c.qualname, _doc(c.qualname, c.comment),
                       tuple(Field(field_name(a), a, _nullable(ann(typ), True)) for a, typ in c.attributes))
        for c in composites
    )

    table_classes = []
    for t in tables:
        row_name = relation_names[t.qualname]
        not_null = {c.name: c.not_null for c in relation_columns(t, strict_domains)}

        def field(c: Column, optional: bool = False, never_null: bool = False) -> Field:
            typ = ann(c.type, f"{t.qualname}.{c.name}")
            return Field(field_name(c.name), c.name, typ if never_null else _nullable(typ, not not_null[c.name]), optional)

        row = DataClass(row_name, _doc(t.qualname, t.comment), sql_qualname(t.qualname), tuple(field(c) for c in t.columns))
        writable = [c for c in t.columns if not c.generated and c.identity != "always"]
        required = [c for c in writable if not_null[c.name] and not _filled(c, defaulted_domains)]
        insert_fields = [field(c, never_null=True) for c in required] + [field(c, optional=True) for c in writable if c not in required]
        update_fields = [field(c, optional=True) for c in writable]
        json = tuple((c.name, kind) for c in writable if (kind := _json_kind(c.type, domain_bases)))
        table_classes.append(
            (
                row,
                DataClass(f"{row_name}Insert", f"A row for {t.qualname}; UNSET columns take their default.", row.relation, tuple(insert_fields), json),
                DataClass(f"{row_name}Update", f"Changes to a row of {t.qualname}; UNSET leaves a column as it is.", row.relation, tuple(update_fields), json),
            )
        )

    relations: Relations = {t.qualname: relation_columns(t, strict_domains) for t in catalog.tables}
    view_classes = []
    for v in views:
        cols = _view_columns(v, relations)
        relations[v.qualname] = cols
        view_classes.append(DataClass(relation_names[v.qualname], _doc(v.qualname, v.comment), sql_qualname(v.qualname), tuple(Field(field_name(c.name), c.name, _nullable(ann(c.type or "text", f"{v.qualname}.{c.name}"), not c.not_null)) for c in cols)))

    callables, results = _callables(functions, ann, set(relation_names.values()))

    literals, dicts, rpcs = _json_shapes(catalog, enums, tables, relations, table_classes, functions, callables, enum_names, composite_names, relation_names, strict_domains)

    everything = list(enum_names.values()) + list(composite_names.values()) + [n for n, _ in literals] + [d.name for d in dicts]
    everything += [c.name for trio in table_classes for c in trio] + [c.name for c in view_classes] + [c.name for c in results]
    twice = [n for n, k in Counter(everything).items() if k > 1]
    if twice:
        raise SchemaError("schema", None, None, f"typegen would define {', '.join(twice)} twice", "rename one of the objects these classes come from")

    annotations = []
    if "dataclasses" in shapes:
        annotations += [f.annotation for trio in table_classes for c in trio for f in c.fields]
        annotations += [f.annotation for c in view_classes + results for f in c.fields]
        annotations += [p.annotation for c in callables for p, _ in c.params] + [c.result for c in callables]
    annotations += [f.annotation for c in composite_classes for f in c.fields]
    annotations += ["_dt."]  # payload() writes times
    schemas = sorted({t.schema for t in tables} | {v.schema for v in views} | {e.schema for e in enums} | {f.schema for f in functions} | {c.schema for c in composites})
    counts = f"{len(tables)} tables, {len(views)} views, {len(enums)} enums, {len(callables)} functions"
    counts += f", {len(composites)} composite types" if composites else ""
    counts += f", {len(ranges)} range types" if ranges else ""
    override_imports = sorted({f"from {o.rpartition('.')[0]} import {o.rpartition('.')[2]}" for o in overrides.values()})
    return Module(
        source=f"schemas {', '.join(schemas)} ({counts})",
        enums=tuple(EnumClass(enum_names[e.qualname], e.qualname, tuple(zip(unique([member_name(v) for v in e.values]), e.values))) for e in enums),
        composites=composite_classes,
        ranges=tuple(RangeType(r.qualname, f"{r.schema}.{r.multirange}") for r in ranges),
        tables=tuple(table_classes),
        views=tuple(view_classes),
        results=tuple(results),
        callables=tuple(callables),
        imports=tuple(modules_used(annotations)),
        overrides=tuple(override_imports),
        shapes=shapes,
        literals=literals,
        dicts=dicts,
        rpcs=rpcs,
    )


def _json_shapes(
    catalog: Catalog, enums: list[Enum], tables: list[Table], relations: Relations, table_classes: list[tuple[DataClass, DataClass, DataClass]],
    functions: list[Function], callables: list[Wrapper], enum_names: dict[str, str], composite_names: dict[str, str],
    relation_names: dict[str, str], strict_domains: frozenset[str],
) -> tuple[tuple[tuple[str, tuple[str, ...]], ...], tuple[DictShape, ...], tuple[Rpc, ...]]:
    """The TypedDicts of what PostgREST sends and takes: the same tables, views and functions as
    the dataclasses, typed as their JSON (an enum a Literal of its values, a uuid or time a str).
    `relations` holds every table's and view's columns as the dataclasses read them."""
    user_json = {e.qualname: f"{enum_names[e.qualname]}Value" for e in enums}
    user_json |= {qn: f"{name}Dict" for qn, name in {**composite_names, **relation_names}.items()}
    for dom in catalog.domains:
        user_json[dom.qualname] = json_annotation(dom.type, user_json)
    literals = tuple((f"{enum_names[e.qualname]}Value", e.values) for e in enums)

    def jann(typ: str, nullable: bool) -> str:
        return _nullable(json_annotation(typ, user_json), nullable)

    composites = sorted((c for c in catalog.composites if c.qualname in composite_names), key=lambda c: c.qualname)
    dicts = [DictShape(f"{composite_names[c.qualname]}Dict", c.qualname, True, tuple((a, jann(typ, True), True) for a, typ in c.attributes)) for c in composites]
    for t, (row, insert, update) in zip(tables, table_classes):
        not_null = {c.name: c.not_null for c in relation_columns(t, strict_domains)}
        types = {c.name: c.type for c in t.columns}
        required = {f.column for f in insert.fields if not f.optional}
        dicts.append(DictShape(f"{row.name}Dict", f"A row of {t.qualname} as PostgREST returns it.", True, tuple((c.name, jann(c.type, not not_null[c.name]), True) for c in t.columns)))
        dicts.append(DictShape(f"{insert.name}Dict", f"A row to insert into {t.qualname} through PostgREST.", False,
                               tuple((f.column, jann(types[f.column], not not_null[f.column]), f.column in required) for f in insert.fields)))
        dicts.append(DictShape(f"{update.name}Dict", f"Changes to a row of {t.qualname} through PostgREST.", False,
                               tuple((f.column, jann(types[f.column], not not_null[f.column]), False) for f in update.fields)))
    for v in sorted(catalog.views, key=lambda v: v.qualname):
        cols = relations[v.qualname]
        dicts.append(DictShape(f"{relation_names[v.qualname]}Dict", f"A row of {v.qualname} as PostgREST returns it.", True,
                               tuple((c.name, jann(c.type or "text", not c.not_null), True) for c in cols)))
    rpcs = []
    for f, w in zip(functions, callables):
        inputs = [a for a in f.arguments if a.mode in ("in", "inout", "variadic")]
        if not all(a.name for a in inputs):
            continue  # PostgREST calls functions by argument name only
        base = pascal(w.name)
        dicts.append(DictShape(f"{base}Args", f"The arguments of {f.qualname} for .rpc().", False,
                               tuple((a.name or "", jann(a.type, True), a.default is None) for a in inputs)))
        columns = list(f.returns_table) or [(a.name or f"column{i + 1}", a.type) for i, a in enumerate(f.arguments) if a.mode in ("out", "inout")]
        if columns:
            dicts.append(DictShape(f"{base}ResultDict", f"A row returned by {f.qualname} through PostgREST.", True, tuple((n, jann(typ, True), True) for n, typ in columns)))
            element = f"{base}ResultDict"
        else:
            element = json_annotation(f.returns or "void", user_json)
        returns = f"list[{element}]" if f.returns_set else _nullable(element, element != "None")
        rpcs.append(Rpc(f"rpc_{w.name}", w.doc, f.schema, f.name, f"{base}Args", returns))
    return literals, tuple(dicts), tuple(rpcs)


def _pystr(value: str) -> str:
    """A Python string literal in double quotes, as formatters write them."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _docstring(text: str, indent: int = 4) -> str:
    """A docstring wrapped to the width formatters keep (99)."""
    pad = " " * indent
    lines = textwrap.wrap(text, width=99 - indent - 3) or [""]
    if len(lines) == 1 and len(lines[0]) + indent + 6 <= 99:
        return f'"""{lines[0]}"""'
    return '"""' + f"\n{pad}".join(lines) + f"\n{pad}" + '"""'


def _callable(f: Function) -> bool:
    granted = {g.role for g in f.grants if "execute" in g.privileges}
    # a procedure is `call`ed, not selected from: the wrappers select
    return not f.external and not f.procedure and (f.returns or "").lower() not in NOT_CALLABLE and bool(granted & CALLERS)


def _class_names(names: list[tuple[str, str]], singular: bool, taken: frozenset[str] | set[str] = frozenset()) -> dict[str, str]:
    """PascalCase names; schema-qualified (`SupportTicket`) for those that would clash."""
    base = {f"{s}.{n}": pascal(n, singular) for s, n in names}
    count = Counter(base.values())
    return {qn: (pascal(qn.partition(".")[0]) + b if count[b] > 1 or b in taken else b) for qn, b in base.items()}


def _doc(qualname: str, comment: str | None) -> str:
    first = (comment or "").strip().splitlines()[0] if (comment or "").strip() else ""
    text = f"{qualname}: {first}" if first else qualname
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _nullable(annotation: str, nullable: bool) -> str:
    return f"{annotation} | None" if nullable else annotation


def _json_kind(typ: str, domain_bases: dict[str, str]) -> str | None:
    """json or jsonb for a column of that type (or a domain over it), else None (arrays too)."""
    text = domain_bases.get(user_type(typ) or "", typ).strip().lower()
    return text.removeprefix("pg_catalog.") if text.removeprefix("pg_catalog.") in ("json", "jsonb") else None


def _filled(c: Column, defaulted_domains: frozenset[str]) -> bool:
    """Whether the database fills the column when an insert leaves it out."""
    return c.default is not None or c.identity is not None or c.serial or user_type(c.type) in defaulted_domains


def _view_columns(v: View, relations: Relations) -> tuple[ViewColumn, ...]:
    inferred = infer(v.query, relations)
    if v.columns:  # from a database: its types are the truth; inference only says "not null"
        by_name = {c.name: c for c in inferred or ()}
        return tuple(ViewColumn(c.name, c.type, bool(by_name.get(c.name) and by_name[c.name].not_null)) for c in v.columns)
    if inferred is None or any(c.type is None for c in inferred):
        unknown = [c.name for c in inferred or () if c.type is None]
        what = f"the type of {', '.join(unknown)}" if unknown else "its columns"
        raise SchemaError.at(v.origin, v.qualname, f"typegen cannot tell {what} in view {v.qualname}", "cast the expression in the query (`expr::text as name`), or run `tickets-db typegen --from-db`")
    return inferred


def _callables(functions: list[Function], ann: Callable[[str], str], row_types: set[str]) -> tuple[list[Wrapper], list[DataClass]]:
    names = unique([field_name(f.name) for f in functions])
    callables, results = [], []
    for f, name in zip(functions, names):
        inputs = [a for a in f.arguments if a.mode in ("in", "inout", "variadic")]
        outputs = [(a.name or f"column{i + 1}", a.type) for i, a in enumerate(f.arguments) if a.mode in ("out", "inout")]
        named = all(a.name for a in inputs)
        params = []
        for i, a in enumerate(inputs):
            pname = field_name(a.name) if a.name else f"arg{i + 1}"
            optional = named and a.default is not None
            params.append((Field(pname, a.name or pname, _nullable(ann(a.type), True), optional), sql_ident(a.name) if named and a.name else None))
        columns = list(f.returns_table) or outputs
        signature = f"{f.qualname}({', '.join(a.name or '?' for a in inputs)})"
        if columns:
            result = pascal(name) + "Result"
            results.append(DataClass(result, f"A row returned by {signature}.", None, tuple(Field(field_name(n), n, _nullable(ann(t), True)) for n, t in columns)))
            shape = "rows" if f.returns_set else "row"
        else:
            result = ann(f.returns or "void")
            shape = ("rows" if f.returns_set else "row") if result in row_types else ("scalars" if f.returns_set else "scalar")
        callables.append(Wrapper(name, _doc(signature, f.comment), f.schema, f.name, tuple(params), shape, result))
    return callables, results


def write(path: Path, text: str) -> bool:
    """Write when different; True when the file changed."""
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text)
    return True
