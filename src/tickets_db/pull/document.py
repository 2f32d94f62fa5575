"""The pulled model → YAML documents, one per schema, in the language the loader reads: keys in a
fixed order, single-column keys on their column, PostgreSQL's type spellings shortened, long
expressions and bodies as blocks. Pure: no database, no files."""
from __future__ import annotations

import re
from functools import cache
from typing import Any, Iterable

from ..diff.normalize import ALIASES
from ..introspect import Unsupported
from ..loader import body_text
from ..loader.names import default_constraint_name
from ..model import DEFAULT_PRIVILEGES, PRIVILEGES, SEQUENCE_PRIVILEGES, Column, Composite, Constraint, Function, Grant, Index, Publication, Range, Schema, Sequence, Table, default_multirange, split
from .read import Pulled
from .yaml_text import Block, Flow, FlowList, emit

MARK = "# Pulled by tickets-db"
RAW_MARK = "-- Pulled by tickets-db"
ROLES_FILE = "_roles.yaml"  # not a schema's name: roles belong to the cluster
PUBLICATIONS_FILE = "_publications.yaml"  # publications belong to the database, not a schema
EVENT_TRIGGERS_FILE = "_event_triggers.yaml"
DEFAULT_PRIVILEGES_FILE = "_default_privileges.yaml"
LONG = 72  # expressions longer than this are written as block scalars


def _text(value: str) -> str:
    return Block(value) if "\n" in value or len(value) > LONG else value


def _long(value: Any) -> bool:
    return isinstance(value, Block) or (isinstance(value, str) and len(value) > LONG)


def _compact(spec: dict[str, Any]) -> dict[str, Any]:
    """One line when it reads well as one line."""
    width = sum(len(str(k)) + len(str(v)) + 4 for k, v in spec.items())
    return spec if width > 110 or any(_long(v) for v in spec.values()) else Flow(spec)


# PostgreSQL's long names → the short ones people write (normalize.ALIASES the other way)
_SHORT = {ALIASES[short]: short for short in ("varchar", "timestamptz", "timestamp", "timetz", "time")}


@cache  # a schema spells a handful of types thousands of times
def _type(name: str) -> str:
    """Type names as people write them (varchar(255), timestamptz); PostgreSQL reads both."""
    for long, short in _SHORT.items():
        if name == long or name.startswith((long + "(", long + "[")):
            return short + name[len(long):]
    return name


def _grants(grants: Iterable[Grant], every: tuple[str, ...] = PRIVILEGES) -> dict[str, Any]:
    def privileges(g: Grant) -> Any:
        if set(g.privileges) == set(every) and set(g.grantable) in (set(), set(every)):
            return "all with grant option" if g.grantable else "all"
        return FlowList(p + (" with grant option" if p in g.grantable else "") for p in g.privileges)

    return {g.role: privileges(g) for g in grants}


def _inline(t: Table) -> tuple[dict[str, list[Constraint]], list[Constraint]]:
    """Single-column keys named as PostgreSQL names them go on their column; the rest are named
    table constraints."""
    inline: dict[str, list[Constraint]] = {}
    named: list[Constraint] = []
    for c in t.constraints:
        single = len(c.columns) == 1 and c.kind in ("primary_key", "unique", "foreign_key")
        if single and not c.options and c.name == default_constraint_name(t.name, c.kind, () if c.kind == "primary_key" else c.columns) and len(c.ref_columns) <= 1:
            kinds = [k.kind for k in inline.get(c.columns[0], [])]
            if c.kind not in kinds:
                inline.setdefault(c.columns[0], []).append(c)
                continue
        named.append(c)
    return inline, named


def _reference(c: Constraint) -> dict[str, Any]:
    spec: dict[str, Any] = {"references": f"{c.ref_table}({', '.join(c.ref_columns)})"}
    if c.on_delete:
        spec["on_delete"] = c.on_delete
    if c.on_update:
        spec["on_update"] = c.on_update
    return spec


def _column(c: Column, inline: list[Constraint]) -> Any:
    spec: dict[str, Any] = {"type": _type(c.type)}
    kinds = {k.kind: k for k in inline}
    if "primary_key" in kinds:
        spec["primary_key"] = True
    if "unique" in kinds:
        spec["unique"] = True
    if c.not_null and "primary_key" not in kinds and not c.serial:
        spec["not_null"] = True
    if c.collation:
        spec["collation"] = c.collation
    if c.identity:
        spec["identity"] = c.identity
    if c.identity_options:
        spec["identity_options"] = Flow({k: True if k == "cycle" else int(v) for k, v in c.identity_options})
    if c.default is not None:
        spec["default"] = _text(c.default)
    if c.generated:
        spec["generated"] = _text(c.generated)
    if "foreign_key" in kinds:
        spec |= _reference(kinds["foreign_key"])
    if c.comment:
        spec["comment"] = _text(c.comment)
    if c.grants:
        spec["grants"] = Flow(_grants(c.grants, ("select", "insert", "update", "references")))
    if c.sequence_grants is not None:
        spec["sequence_grants"] = Flow(_grants(c.sequence_grants, SEQUENCE_PRIVILEGES))
    if len(spec) == 1:
        return spec["type"]
    return _compact(spec)


def _constraint(c: Constraint) -> dict[str, Any]:
    options: dict[str, Any] = {k: True for k in ("deferrable", "initially_deferred", "not_valid", "no_inherit") if getattr(c, k)}
    if c.initially_deferred:
        del options["deferrable"]  # implied
    options |= {"comment": _text(c.comment)} if c.comment else {}
    if c.kind in ("check", "exclude"):
        return _compact({c.kind: _text(c.expression or "")} | options)
    if c.kind == "foreign_key":
        return _compact({"foreign_key": FlowList(c.columns)} | _reference(c) | options)
    return Flow({c.kind: FlowList(c.columns)} | options)


def _indexes(indexes: tuple[Index, ...]) -> dict[str, Any]:
    return {i.name: _compact({"columns": FlowList(i.columns)} | ({"unique": True} if i.unique else {}) | ({"method": i.method} if i.method != "btree" else {})
                             | ({"where": _text(i.where)} if i.where else {}) | ({"comment": _text(i.comment)} if i.comment else {})) for i in indexes}


def _table(t: Table) -> dict[str, Any]:
    if t.external:
        spec: dict[str, Any] = {"external": True, "columns": {c.name: _type(c.type) for c in t.columns}}
    else:
        inline, named = _inline(t)
        spec = {}
        if t.comment:
            spec["comment"] = _text(t.comment)
        if t.partition_of:
            spec["partition_of"] = t.partition_of
            spec |= {"default": True} if t.partition_bound == "default" else {"for_values": t.partition_bound}
        if t.inherits:
            spec["inherits"] = FlowList(t.inherits)
        if t.partition_by:
            spec["partition_by"] = t.partition_by
        if t.columns or not t.partition_of:
            spec["columns"] = {c.name: _column(c, inline.get(c.name, [])) for c in t.columns}
        if named:
            spec["constraints"] = {c.name: _constraint(c) for c in sorted(named, key=lambda c: c.name)}
        if t.indexes:
            spec["indexes"] = _indexes(t.indexes)
        if t.grants:
            spec["grants"] = Flow(_grants(t.grants))
        if t.rls:
            spec["rls"] = True
        if t.force_rls:
            spec["force_rls"] = True
        if t.replica_identity != "default":
            spec["replica_identity"] = t.replica_identity
        if t.unlogged:
            spec["unlogged"] = True
    if t.policies:
        spec["policies"] = {p.name: _policy(p) for p in sorted(t.policies, key=lambda p: p.name)}
    if t.triggers:
        spec["triggers"] = {tr.name: _trigger(tr) for tr in sorted(t.triggers, key=lambda tr: tr.name)}
    return spec


def _policy(p: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"command": p.command}
    if tuple(p.roles) != ("public",):
        spec["roles"] = FlowList(p.roles)
    if not p.permissive:
        spec["permissive"] = False
    if p.using:
        spec["using"] = _text(p.using)
    if p.with_check:
        spec["with_check"] = _text(p.with_check)
    if p.comment:
        spec["comment"] = _text(p.comment)
    return spec


def _trigger(tr: Any) -> dict[str, Any]:
    events = [e.event + (f" of {', '.join(e.columns)}" if e.columns else "") for e in tr.events]
    spec: dict[str, Any] = {"timing": tr.timing, "events": FlowList(events)}
    if tr.level != "row":
        spec["level"] = tr.level
    if tr.when:
        spec["when"] = _text(tr.when)
    spec["function"] = tr.function
    if tr.arguments:
        spec["arguments"] = FlowList(tr.arguments)
    if tr.comment:
        spec["comment"] = _text(tr.comment)
    return spec


def _argument(a: Any) -> Any:
    if a.name and a.mode == "in" and " default " not in a.type.lower():
        return f"{a.name} {a.type}" + (f" default {a.default}" if a.default is not None else "")
    spec: dict[str, Any] = {"name": a.name} if a.name else {}
    spec["type"] = a.type
    if a.mode != "in":
        spec["mode"] = a.mode
    if a.default is not None:
        spec["default"] = a.default
    return Flow(spec)


def _function(f: Function) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": f.qualname}
    args = [_argument(a) for a in f.arguments]
    if args:  # one line of `name type` strings, or a list of mappings when any needs one
        spec["args"] = args if any(isinstance(a, dict) for a in args) else FlowList(args)
    if f.external:
        if f.returns:
            spec["returns"] = ("setof " if f.returns_set else "") + f.returns
        spec["external"] = True
        return Flow(spec) if isinstance(spec.get("args", FlowList()), FlowList) else spec
    if f.procedure:
        spec["procedure"] = True
    elif f.returns_table:
        spec["returns_table"] = Flow(dict(f.returns_table))
    else:
        spec["returns"] = ("setof " if f.returns_set else "") + (f.returns or "void")
    spec["language"] = f.language
    if f.volatility != "volatile":
        spec["volatility"] = f.volatility
    if f.security_definer:
        spec["security"] = "definer"
    if f.strict:
        spec["strict"] = True
    if f.config:
        spec["set"] = Flow({k: "" if v == '""' else v for k, v in f.config})
    if f.grants:
        spec["execute"] = FlowList(g.role for g in f.grants)
    if f.comment:
        spec["comment"] = _text(f.comment)
    spec["body"] = Block(body_text(f.body))
    return spec


def _usage(grants: tuple[Grant, ...] | None) -> dict[str, Any]:
    """A type's `grants`, when they are not PostgreSQL's default."""
    return {} if grants is None else {"grants": Flow(_grants(grants, ("usage",)))}


def _user_types(composites: tuple[Composite, ...], ranges: tuple[Range, ...]) -> list[Composite | Range]:
    found: list[Composite | Range] = [*composites, *ranges]
    return sorted(found, key=lambda t: t.qualname)


def _user_type(t: Composite | Range) -> dict[str, Any]:
    if isinstance(t, Composite):
        spec: dict[str, Any] = {"attributes": Flow({a: _type(typ) for a, typ in t.attributes})}
    else:
        spec = {"range": _type(t.subtype)}
        spec |= {"subtype_diff": t.subtype_diff} if t.subtype_diff else {}
        spec |= {"multirange": t.multirange} if t.multirange != default_multirange(t.name) else {}
    return _compact(spec | _usage(t.grants) | ({"comment": _text(t.comment)} if t.comment else {}) | ({"external": True} if t.external else {}))


def _sequence(s: Sequence) -> Any:
    spec: dict[str, Any] = {"type": s.type} if s.type != "bigint" else {}
    spec |= {k: v == "true" if k == "cycle" else int(v) for k, v in s.options}
    spec |= {"owned_by": s.owned_by} if s.owned_by else {}
    spec |= {"grants": Flow(_grants(s.grants, SEQUENCE_PRIVILEGES))} if s.grants else {}
    spec |= {"comment": _text(s.comment)} if s.comment else {}
    return _compact(spec) if spec else Flow()


def _value(v: str | None) -> Any:
    if v in ("true", "false"):
        return v == "true"
    if v is not None and re.fullmatch(r"-?[1-9][0-9]{0,15}|0", v):
        return int(v)
    return v


def _document(pulled: Pulled, schema: Schema) -> dict[str, Any]:
    cat, name = pulled.catalog, schema.name
    doc: dict[str, Any] = {}
    if schema.external:
        doc["schemas"] = {name: Flow({"external": True} | ({"grants": Flow(_grants(schema.grants, ("usage", "create")))} if schema.grants is not None else {}))}
    else:
        doc["schemas"] = {name: Flow(({"grants": Flow(_grants(schema.grants, ("usage", "create")))} if schema.grants else {}) | ({"comment": schema.comment} if schema.comment else {}))}
    sections: dict[str, Any] = {
        "extensions": {e.name: Flow({"schema": e.schema} | ({"version": e.version} if e.pinned else {}) | ({"external": True} if e.external else {}) | ({"comment": _text(e.comment)} if e.comment is not None else {})) for e in cat.extensions if e.schema == name},
        "enums": {e.qualname: _compact({"values": FlowList(e.values)} | _usage(e.grants) | ({"comment": _text(e.comment)} if e.comment else {}) | ({"external": True} if e.external else {})) for e in cat.enums if e.schema == name},
        "collations": {c.qualname: _compact({"locale": c.locale} | ({"provider": c.provider} if c.provider != "libc" else {}) | ({"ctype": c.ctype} if c.ctype else {})
                                            | ({"deterministic": False} if not c.deterministic else {}) | ({"comment": _text(c.comment)} if c.comment else {}))
                       for c in sorted(cat.collations, key=lambda c: c.qualname) if c.schema == name},
        "types": {t.qualname: _user_type(t) for t in _user_types(cat.composites, cat.ranges) if t.schema == name},
        "domains": {
            d.qualname: _compact({"type": _type(d.type)} | ({"not_null": True} if d.not_null else {}) | ({"default": d.default} if d.default else {}) | ({"check": _text(d.check)} if d.check else {}) | _usage(d.grants) | ({"comment": d.comment} if d.comment else {}))
            for d in cat.domains if d.schema == name
        },
        "sequences": {s.qualname: _sequence(s) for s in sorted(cat.sequences, key=lambda s: s.qualname) if s.schema == name},
        "tables": {t.qualname: _table(t) for t in sorted(cat.tables, key=lambda t: t.qualname) if t.schema == name},
        "functions": [_function(f) for f in sorted(cat.functions, key=lambda f: (f.external, f.identity)) if f.schema == name],
        "views": {
            v.qualname: {"query": Block(v.query.strip())} | ({"grants": Flow(_grants(v.grants))} if v.grants else {}) | ({"security_invoker": True} if v.security_invoker else {})
            | ({"security_barrier": True} if v.security_barrier else {}) | ({"check_option": v.check_option} if v.check_option else {})
            | ({"triggers": {tr.name: _trigger(tr) for tr in sorted(v.triggers, key=lambda tr: tr.name)}} if v.triggers else {})
            | ({"materialized": True} if v.materialized else {}) | ({"indexes": _indexes(v.indexes)} if v.indexes else {})
            | ({"comment": _text(v.comment)} if v.comment else {})
            | ({"column_comments": {c: _text(text) for c, text in v.column_comments}} if v.column_comments else {})
            for v in sorted(cat.views, key=lambda v: v.qualname) if v.schema == name
        },
        "rows": {r.table: {"key": FlowList(r.key), "values": [Flow({c: _value(v) for c, v in zip(r.columns, row)}) for row in r.values]} for r in cat.rows if split(r.table)[0] == name},
    }
    return doc | {k: v for k, v in sections.items() if v}


def data(pulled: Pulled) -> dict[str, tuple[str, dict[str, Any]]]:
    """File name → (header, document), one per schema."""
    out = {}
    for schema in pulled.catalog.schemas:
        if schema.name not in pulled.schemas:
            what = "what the project uses of it: referenced, never created by migrations"
        elif schema.external:
            what = "the schema is the platform's; its objects here are the project's"
        else:
            what = "the project's"
        header = f"{MARK} from schema {schema.name} ({what}).\n# Edit freely; `tickets-db pull` rewrites this file.\n"
        out[f"{schema.name}.yaml"] = (header, _document(pulled, schema))
    if pulled.catalog.roles:
        header = f"{MARK}: the roles its grants and policies name beyond the platform's.\n# The cluster owns them: migrations never create them.\n"
        out[ROLES_FILE] = (header, {"roles": list(pulled.catalog.roles)})
    if pulled.catalog.default_privileges:
        header = f"{MARK}: the privileges new objects get (alter default privileges), as the pulling role sets them.\n"
        out[DEFAULT_PRIVILEGES_FILE] = (header, {"default_privileges": [
            Flow({"for_role": p.role} | ({"schema": p.schema} if p.schema else {}) | {"on": p.on, "grants": Flow(_grants(p.grants, DEFAULT_PRIVILEGES[p.on]))})
            for p in pulled.catalog.default_privileges]})
    if pulled.catalog.event_triggers:
        header = f"{MARK}: its event triggers (only a superuser may create them).\n"
        out[EVENT_TRIGGERS_FILE] = (header, {"event_triggers": {
            e.name: Flow({"event": e.event, "function": e.function} | ({"tags": FlowList(e.tags)} if e.tags else {}) | ({"enabled": False} if not e.enabled else {})
                         | ({"comment": _text(e.comment)} if e.comment else {}))
            for e in pulled.catalog.event_triggers}})
    if pulled.catalog.publications:
        header = f"{MARK}: its publications (logical replication; Supabase Realtime listens on supabase_realtime).\n"
        out[PUBLICATIONS_FILE] = (header, {"publications": {p.name: _publication(p) for p in pulled.catalog.publications}})
    return out


def _publication(p: Publication) -> dict[str, Any]:
    spec: dict[str, Any] = {"external": True} if p.external else {}
    if p.all_tables:
        spec["all_tables"] = True
    if p.tables:
        spec["tables"] = {t.table: Flow(({"columns": FlowList(t.columns)} if t.columns else {}) | ({"where": _text(t.where)} if t.where else {})) for t in p.tables}
    if p.schemas:
        spec["schemas"] = FlowList(p.schemas)
    if p.operations != ("insert", "update", "delete", "truncate"):
        spec["operations"] = FlowList(p.operations)
    if p.via_root:
        spec["via_root"] = True
    if p.comment:
        spec["comment"] = _text(p.comment)
    return spec


def counts(pulled: Pulled) -> list[tuple[str, int, int, int, int, int]]:
    """Per schema file: the tables, views and functions it creates, and the policies and
    triggers it puts on tables (what `pull` reports)."""
    cat, out = pulled.catalog, []
    for schema in cat.schemas:
        tables = [t for t in cat.tables if t.schema == schema.name]
        out.append((
            f"{schema.name}.yaml",
            sum(not t.external for t in tables),
            sum(v.schema == schema.name for v in cat.views),
            sum(f.schema == schema.name and not f.external for f in cat.functions),
            sum(len(t.policies) for t in tables),
            sum(len(t.triggers) for t in tables),
        ))
    return out


def documents(pulled: Pulled) -> dict[str, str]:
    """File name → YAML text."""
    return {name: header + "\n".join(emit(doc)) + "\n" for name, (header, doc) in data(pulled).items()}


def raw_sql(unsupported: tuple[Unsupported, ...]) -> str | None:
    if not unsupported:
        return None
    lines = [
        f"{RAW_MARK}: what the YAML cannot express yet, as SQL. `tickets-db new` puts this file,",
        "-- as written, at the end of a migration whenever it is new or has changed.",
    ]
    for u in unsupported:
        lines += ["", f"-- {u.kind} {u.name}", u.sql.rstrip()]
    return "\n".join(lines) + "\n"
