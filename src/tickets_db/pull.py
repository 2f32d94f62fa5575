"""A live database → schema/ YAML (`tickets-db pull`): how a team with an existing database adopts
the tool. The database is read into the one Catalog model (introspect); platform objects it uses
become `external: true` references; the catalog is written back in the YAML language, one file
per schema in a fixed order, so that pulling twice changes nothing. What the language cannot
express is listed and kept as a raw SQL file, which `new` appends to a migration."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any, Iterable

import psycopg
import sqlglot
import yaml
from sqlglot import exp

from . import introspect as intro
from .errors import ConfigError, SchemaError
from .introspect import Scope, Unsupported
from .loader.validate import validate_catalog
from .loader.names import default_constraint_name, make_object_name
from .model import PRIVILEGES, Catalog, Column, Constraint, Function, Grant, Rows, Schema, Table, qualify, split

MARK = "# Pulled by tickets-db"
RAW_FILE = "unsupported.sql"
RAW_MARK = "-- Pulled by tickets-db"
# Extensions the platform installs itself (Supabase): referenced, never created by migrations.
PLATFORM_EXTENSIONS = frozenset({"plpgsql", "pgcrypto", "uuid-ossp", "pg_graphql", "pg_stat_statements", "pgjwt", "supabase_vault", "pgsodium"})
SERIAL_TYPES = {"integer": "serial", "bigint": "bigserial", "smallint": "smallserial"}
LONG = 72  # expressions longer than this are written as block scalars


@dataclass(frozen=True)
class Pulled:
    catalog: Catalog  # the schemas' own objects plus `external` references to what they use
    schemas: tuple[str, ...]  # the schemas pulled (the rest of catalog.schemas is referenced)
    unsupported: tuple[Unsupported, ...]


def read(conn: psycopg.Connection, schemas: tuple[str, ...] = (), rows: tuple[str, ...] = ()) -> Pulled:
    """Everything of `schemas` (default: all the database's own), the reference rows of the
    tables named in `rows`, and what they reference of other schemas."""
    present = intro.user_schemas(conn)
    schemas = tuple(schemas) or tuple(present)
    unknown = [s for s in schemas if s not in present]
    if unknown:
        raise ConfigError(f"the database has no schema {', '.join(unknown)} to pull\n  hint: its schemas are {', '.join(present) or 'none'}")
    attached = intro.attached_tables(conn, schemas)
    catalog = intro.introspect(conn, Scope(schemas, attached))
    serials = intro.owned_sequences(conn, schemas)
    tables = [_own_table(t, schemas, serials) for t in catalog.tables]
    pulled_rows = tuple(_rows(conn, name) for name in rows)

    referenced_tables = {c.ref_table for t in tables for c in t.constraints if c.ref_table and split(c.ref_table)[0] not in schemas}
    referenced_tables |= {r.table for r in pulled_rows if split(r.table)[0] not in schemas}
    referenced_tables -= {t.qualname for t in tables}
    columns_of = {t.qualname: t.columns for t in intro.external_tables(conn, tuple(sorted(referenced_tables | set(attached))))}
    tables = [replace(t, columns=columns_of.get(t.qualname, ())) if t.external else t for t in tables]
    tables += [Table(*split(name), columns=columns_of.get(name, ()), external=True) for name in sorted(referenced_tables)]

    called = _called_functions(tables) - {f.qualname for f in catalog.functions}
    outside = tuple(sorted({split(qn)[0] for qn in called}))
    found = {f.qualname: f for f in intro.schema_functions(conn, outside)} if outside else {}
    externals = [replace(found[qn], external=True) if qn in found else Function(*split(qn), (), None, "", external=True) for qn in sorted(called)]

    foreign_types = _foreign_types(tables, catalog.functions, schemas)
    others = tuple(sorted({split(t)[0] for t in foreign_types}))
    enums = tuple(replace(e, external=True) for e in (intro.enums(conn, others) if others else ()) if e.qualname in foreign_types)

    extensions = [e for e in intro.extensions(conn, (*schemas, "extensions")) if e.name not in PLATFORM_EXTENSIONS]
    used = {split(t.qualname)[0] for t in tables} | {split(f.qualname)[0] for f in externals} | {e.schema for e in extensions} | {e.schema for e in enums} | set(schemas)
    own = {s.name: s for s in catalog.schemas}
    schema_objects = tuple(own[s] if s in own and s != "public" else Schema(s, external=True) for s in sorted(used))
    return Pulled(
        replace(catalog, schemas=schema_objects, extensions=tuple(extensions), enums=catalog.enums + enums, tables=tuple(tables), functions=catalog.functions + tuple(externals), rows=pulled_rows),
        schemas,
        intro.unsupported(conn, schemas),
    )


def _foreign_types(tables: list[Table], functions: tuple[Function, ...], schemas: tuple[str, ...]) -> set[str]:
    """Qualified types of other schemas (an `auth` enum, say) that the pulled objects use."""
    spelled = [c.type for t in tables if not t.external for c in t.columns]
    for f in functions:
        spelled += [a.type for a in f.arguments] + [typ for _, typ in f.returns_table] + ([f.returns] if f.returns else [])
    found = set()
    for text in spelled:
        base = text.split("(")[0].removesuffix("[]").strip()
        schema, dot, _ = base.partition(".")
        if dot and schema not in schemas and schema not in ("pg_catalog", "extensions"):
            found.add(base)
    return found


def _own_table(t: Table, schemas: tuple[str, ...], serials: dict[tuple[str, str], str]) -> Table:
    if t.external:  # a platform table: only what the pulled schemas attach to it
        return replace(t, triggers=tuple(tr for tr in t.triggers if split(tr.function)[0] in schemas))
    return replace(t, columns=tuple(_serial(t, c, serials) for c in t.columns))


def _serial(t: Table, c: Column, serials: dict[tuple[str, str], str]) -> Column:
    """A column owning the sequence its default draws from, named as `serial` names it, is one."""
    sequence = serials.get((t.qualname, c.name))
    if sequence and sequence == make_object_name(t.name, c.name, "seq") and c.type in SERIAL_TYPES and c.default and c.default.startswith("nextval("):
        return replace(c, type=SERIAL_TYPES[c.type], default=None, not_null=False)
    return c


def _rows(conn: psycopg.Connection, name: str) -> Rows:
    rows = intro.all_rows(conn, qualify(name))
    if rows is None:
        raise ConfigError(f"--rows {name}: the database has no table {qualify(name)}")
    if not rows.key:
        raise ConfigError(f"--rows {name}: {qualify(name)} has no primary key, and reference rows are matched by one\n  hint: add a primary key, or keep its rows in a seed file")
    return rows


_QUALIFIED_CALL = re.compile(r"\w\s*\.\s*\"?\w+\"?\s*\(")


def _called_functions(tables: list[Table]) -> set[str]:
    """Schema-qualified functions the YAML's expressions call (what its validator checks), and
    trigger functions."""
    texts: list[str] = []
    for t in tables:
        texts += [p for pol in t.policies for p in (pol.using, pol.with_check) if p]
        texts += [c.default or "" for c in t.columns] + [c.expression or "" for c in t.constraints]
        texts += [tr.when or "" for tr in t.triggers]
    found = {tr.function for t in tables for tr in t.triggers}
    for text in filter(None, texts):
        if not _QUALIFIED_CALL.search(text):
            continue  # most defaults and checks (now(), 'x'::text) call nothing qualified: skip the parse
        try:
            tree = sqlglot.parse_one(text, read="postgres")
        except Exception:  # sqlglot's parse errors vary; such an expression is not checked either
            continue
        for dot in tree.find_all(exp.Dot):
            if isinstance(dot.expression, exp.Anonymous) and isinstance(dot.this, exp.Identifier):
                found.add(f"{dot.this.name}.{dot.expression.name}")
    return found


# ---- the catalog as YAML documents (pure) ------------------------------------------------------


class _Flow(dict):  # type: ignore[type-arg]
    """Written on one line: {type: uuid, not_null: true}."""


class _FlowList(list):  # type: ignore[type-arg]
    pass


class _Block(str):
    """Written as a literal block scalar (function bodies, long expressions)."""


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]  # libyaml's emitter when present: ~10x faster
    def ignore_aliases(self, data: Any) -> bool:
        return True


_Dumper.add_representer(_Flow, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=True))
_Dumper.add_representer(_FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))
_Dumper.add_representer(_Block, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style="|"))


def _text(value: str) -> str:
    return _Block(value) if "\n" in value or len(value) > LONG else value


def _long(value: Any) -> bool:
    return isinstance(value, _Block) or (isinstance(value, str) and len(value) > LONG)


def _compact(spec: dict[str, Any]) -> dict[str, Any]:
    """One line when it reads well as one line."""
    width = sum(len(str(k)) + len(str(v)) + 4 for k, v in spec.items())
    return spec if width > 110 or any(_long(v) for v in spec.values()) else _Flow(spec)


def _quoted(dumper: Any, value: str) -> yaml.ScalarNode:
    """SQL literals read better in double quotes ("'medium'") than with doubled single quotes."""
    style = '"' if "'" in value and '"' not in value and "\\" not in value and "\n" not in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _quoted)

# PyYAML's representer spends most of a 1000-table pull deciding, scalar by scalar, how to quote;
# the few shapes `pull` writes are emitted here instead, with the quoting decided once per
# distinct value (by PyYAML itself for anything but plain words). Tests hold the two equal.
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.() -]*")
_RESERVED = frozenset({"true", "false", "yes", "no", "on", "off", "null", "y", "n"})


def _scalar(value: Any, flow: bool) -> str:
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return _string(str(value), flow)


@cache
def _string(value: str, flow: bool) -> str:
    if _PLAIN.fullmatch(value) and not value.endswith(" ") and value.lower() not in _RESERVED:
        return value
    return _dumped([value])[1:-1] if flow else _dumped(value)


def _dumped(value: Any) -> str:
    """PyYAML's own spelling of one value, on one line."""
    text = yaml.dump(value, Dumper=_Dumper, default_flow_style=isinstance(value, list), width=4096, allow_unicode=True)
    return text.removesuffix("\n...\n").removesuffix("\n")


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k, True)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value, True)


def _block_scalar(text: str, indent: int) -> str | None:
    """A literal block (`|`), or None where PyYAML would not write one either."""
    lines = text.split("\n")
    if not text or "\r" in text or any(line != line.rstrip(" \t") or not line.replace("\t", "").isprintable() for line in lines):
        return None
    chomp = "-" if not text.endswith("\n") else "+" if text.endswith("\n\n") else ""
    if text.endswith("\n"):
        lines.pop()
    pad = " " * indent
    hint = "2" if text[0] in " \n" else ""
    return f"|{hint}{chomp}\n" + "\n".join(pad + line if line else "" for line in lines)


def _emit(data: dict[str, Any], indent: int = 0, first: str | None = None) -> list[str]:
    """A block mapping; `first` prefixes its first line (`- ` of a list item)."""
    out: list[str] = []
    pad = " " * indent
    for k, v in data.items():
        lead = pad if first is None or out else first
        key = _scalar(k, False)
        if isinstance(v, (_Flow, _FlowList)) or (isinstance(v, (dict, list)) and not v):
            out.append(f"{lead}{key}: {_flow(v)}")
        elif isinstance(v, dict):
            out.append(f"{lead}{key}:")
            out += _emit(v, indent + 2)
        elif isinstance(v, list):
            out.append(f"{lead}{key}:")
            for item in v:
                if isinstance(item, dict) and not isinstance(item, _Flow):
                    out += _emit(item, indent + 2, pad + "- ")
                else:
                    out.append(f"{pad}- {_flow(item)}")
        elif isinstance(v, _Block):
            block = _block_scalar(str(v), indent + 2)
            out.append(f"{lead}{key}: {block if block is not None else _dumped(v)}")
        else:
            out.append(f"{lead}{key}: {_scalar(v, False)}")
    return out


_SPELLINGS = (
    ("character varying", "varchar"),
    ("timestamp with time zone", "timestamptz"),
    ("timestamp without time zone", "timestamp"),
    ("time with time zone", "timetz"),
    ("time without time zone", "time"),
)


def _type(name: str) -> str:
    """Type names as people write them (varchar(255), timestamptz); PostgreSQL reads both."""
    for long, short in _SPELLINGS:
        if name == long or name.startswith((long + "(", long + "[")):
            return short + name[len(long):]
    return name


def _grants(grants: Iterable[Grant], every: tuple[str, ...] = PRIVILEGES) -> dict[str, Any]:
    return {g.role: "all" if set(g.privileges) == set(every) else _FlowList(g.privileges) for g in grants}


def _inline(t: Table) -> tuple[dict[str, list[Constraint]], list[Constraint]]:
    """Single-column keys named as PostgreSQL names them go on their column; the rest are named
    table constraints."""
    inline: dict[str, list[Constraint]] = {}
    named: list[Constraint] = []
    for c in t.constraints:
        single = len(c.columns) == 1 and c.kind in ("primary_key", "unique", "foreign_key")
        if single and c.name == default_constraint_name(t.name, c.kind, () if c.kind == "primary_key" else c.columns) and len(c.ref_columns) <= 1:
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
    if c.identity:
        spec["identity"] = c.identity
    if c.default is not None:
        spec["default"] = _text(c.default)
    if c.generated:
        spec["generated"] = _text(c.generated)
    if "foreign_key" in kinds:
        spec |= _reference(kinds["foreign_key"])
    if c.comment:
        spec["comment"] = _text(c.comment)
    if c.grants:
        spec["grants"] = _Flow(_grants(c.grants, ("select", "insert", "update", "references")))
    if len(spec) == 1:
        return spec["type"]
    return _compact(spec)


def _constraint(c: Constraint) -> dict[str, Any]:
    if c.kind == "check":
        return _compact({"check": _text(c.expression or "")})
    if c.kind == "foreign_key":
        return _compact({"foreign_key": _FlowList(c.columns)} | _reference(c))
    return _Flow({c.kind: _FlowList(c.columns)})


def _table(t: Table) -> dict[str, Any]:
    if t.external:
        spec: dict[str, Any] = {"external": True, "columns": {c.name: _type(c.type) for c in t.columns}}
    else:
        inline, named = _inline(t)
        spec = {}
        if t.comment:
            spec["comment"] = _text(t.comment)
        spec["columns"] = {c.name: _column(c, inline.get(c.name, [])) for c in t.columns}
        if named:
            spec["constraints"] = {c.name: _constraint(c) for c in sorted(named, key=lambda c: c.name)}
        if t.indexes:
            spec["indexes"] = {i.name: _compact({"columns": _FlowList(i.columns)} | ({"unique": True} if i.unique else {}) | ({"method": i.method} if i.method != "btree" else {}) | ({"where": _text(i.where)} if i.where else {})) for i in t.indexes}
        if t.grants:
            spec["grants"] = _Flow(_grants(t.grants))
        if t.rls:
            spec["rls"] = True
        if t.force_rls:
            spec["force_rls"] = True
    if t.policies:
        spec["policies"] = {p.name: _policy(p) for p in sorted(t.policies, key=lambda p: p.name)}
    if t.triggers:
        spec["triggers"] = {tr.name: _trigger(tr) for tr in sorted(t.triggers, key=lambda tr: tr.name)}
    return spec


def _policy(p: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"command": p.command}
    if tuple(p.roles) != ("public",):
        spec["roles"] = _FlowList(p.roles)
    if not p.permissive:
        spec["permissive"] = False
    if p.using:
        spec["using"] = _text(p.using)
    if p.with_check:
        spec["with_check"] = _text(p.with_check)
    return spec


def _trigger(tr: Any) -> dict[str, Any]:
    events = [e.event + (f" of {', '.join(e.columns)}" if e.columns else "") for e in tr.events]
    spec: dict[str, Any] = {"timing": tr.timing, "events": _FlowList(events)}
    if tr.level != "row":
        spec["level"] = tr.level
    if tr.when:
        spec["when"] = _text(tr.when)
    spec["function"] = tr.function
    if tr.arguments:
        spec["arguments"] = _FlowList(tr.arguments)
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
    return _Flow(spec)


def _function(f: Function) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": f.qualname}
    if f.arguments:
        spec["args"] = [_argument(a) for a in f.arguments] if any(isinstance(_argument(a), dict) for a in f.arguments) else _FlowList(_argument(a) for a in f.arguments)
    if f.external:
        if f.returns:
            spec["returns"] = ("setof " if f.returns_set else "") + f.returns
        spec["external"] = True
        return _Flow(spec) if not isinstance(spec.get("args"), list) or isinstance(spec["args"], _FlowList) else spec
    if f.returns_table:
        spec["returns_table"] = _Flow(dict(f.returns_table))
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
        spec["set"] = _Flow({k: "" if v == '""' else v for k, v in f.config})
    if f.grants:
        spec["execute"] = _FlowList(g.role for g in f.grants)
    if f.comment:
        spec["comment"] = _text(f.comment)
    spec["body"] = _Block(_body(f.body))
    return spec


def _body(source: str) -> str:
    """The YAML text the loader reads back as `source` (it starts a block body on a new line)."""
    rest = source[1:]
    if source.startswith("\n") and "\n" in rest and rest.endswith("\n") and not rest.startswith("\n"):
        return rest
    return source


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
        doc["schemas"] = {name: _Flow({"external": True})}
    else:
        doc["schemas"] = {name: _Flow(({"grants": _Flow(_grants(schema.grants, ("usage", "create")))} if schema.grants else {}) | ({"comment": schema.comment} if schema.comment else {}))}
    sections: dict[str, Any] = {
        "extensions": {e.name: _Flow({"schema": e.schema}) for e in cat.extensions if e.schema == name},
        "enums": {e.qualname: _compact({"values": _FlowList(e.values)} | ({"comment": _text(e.comment)} if e.comment else {}) | ({"external": True} if e.external else {})) for e in cat.enums if e.schema == name},
        "domains": {
            d.qualname: _compact({"type": _type(d.type)} | ({"not_null": True} if d.not_null else {}) | ({"default": d.default} if d.default else {}) | ({"check": _text(d.check)} if d.check else {}) | ({"comment": d.comment} if d.comment else {}))
            for d in cat.domains if d.schema == name
        },
        "tables": {t.qualname: _table(t) for t in sorted(cat.tables, key=lambda t: t.qualname) if t.schema == name},
        "functions": [_function(f) for f in sorted(cat.functions, key=lambda f: (f.external, f.identity)) if f.schema == name],
        "views": {
            v.qualname: {"query": _Block(v.query.strip())} | ({"grants": _Flow(_grants(v.grants))} if v.grants else {}) | ({"security_invoker": True} if v.security_invoker else {}) | ({"comment": _text(v.comment)} if v.comment else {})
            for v in sorted(cat.views, key=lambda v: v.qualname) if v.schema == name
        },
        "rows": {r.table: {"key": _FlowList(r.key), "values": [_Flow({c: _value(v) for c, v in zip(r.columns, row)}) for row in r.values]} for r in cat.rows if split(r.table)[0] == name},
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
    return out


def documents(pulled: Pulled) -> dict[str, str]:
    """File name → YAML text."""
    return {name: header + "\n".join(_emit(doc)) + "\n" for name, (header, doc) in data(pulled).items()}


def reference_text(document: dict[str, Any]) -> str:
    """The same document as PyYAML writes it: what the fast emitter must equal (tests hold it)."""
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096, default_flow_style=False)


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


# ---- writing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    files: tuple[Path, ...]
    removed: tuple[Path, ...]


def write(out: Path, docs: dict[str, str], raw: str | None) -> Written:
    """Replace the pulled files in `out`, never files a person wrote: those make it refuse before
    anything changes."""
    mine: list[Path] = []
    foreign: list[Path] = []
    if out.is_dir():
        for p in sorted([*out.rglob("*.yaml"), *out.rglob("*.yml"), *out.rglob("*.sql")]):
            first = p.read_text(encoding="utf-8", errors="replace").split("\n", 1)[0]
            (mine if first.startswith((MARK, RAW_MARK)) else foreign).append(p)
    elif out.exists():
        raise ConfigError(f"{out} is not a folder")
    if foreign:
        shown = ", ".join(str(p) for p in foreign[:3]) + (" …" if len(foreign) > 3 else "")
        raise ConfigError(f"{out} holds files `pull` did not write ({shown}); it would mix them with the pulled YAML\n  hint: pull into an empty folder (--out), or move them away")
    out.mkdir(parents=True, exist_ok=True)
    files = {out / name: text for name, text in docs.items()}
    if raw is not None:
        files[out / RAW_FILE] = raw
    removed = tuple(p for p in mine if p not in files)
    for p in removed:
        p.unlink()
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    return Written(tuple(files), removed)


def pull(conn: psycopg.Connection, out: Path, schemas: tuple[str, ...] = (), rows: tuple[str, ...] = ()) -> tuple[Pulled, Written]:
    """Read, check that the YAML language can say it (the validator on the pulled model: roles,
    references, types), then write."""
    pulled = read(conn, schemas, rows)
    try:
        validate_catalog(pulled.catalog)
    except SchemaError as e:
        raise ConfigError(f"the database uses what the YAML cannot declare yet: {e.key}: {e.message}\n  nothing was written") from None
    return pulled, write(out, documents(pulled), raw_sql(pulled.unsupported))


__all__ = ["Pulled", "Written", "documents", "pull", "raw_sql", "read", "write"]
