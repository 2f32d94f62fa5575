"""The YAML's catalog spelled the way PostgreSQL prints it, where that spelling is certain
(`int` → `integer`, a primary key column is NOT NULL, `serial` is an integer with a sequence).
Used only to guess which objects a migrated template already holds exactly: those need not be
built again to learn how PostgreSQL stores them. A wrong guess cannot make a wrong migration
(the objects it leaves out are the template's own), only a slower one."""
from __future__ import annotations

import re
from dataclasses import replace

from ..model import SERIALS, Argument, Catalog, Column, Function, Table

ALIASES = {
    "int": "integer", "int4": "integer", "int8": "bigint", "int2": "smallint",
    "bool": "boolean", "float8": "double precision", "float4": "real", "decimal": "numeric",
    "varchar": "character varying", "char": "character", "bpchar": "character",
    "timestamptz": "timestamp with time zone", "timestamp": "timestamp without time zone",
    "timetz": "time with time zone", "time": "time without time zone",
}
_TYPE = re.compile(r"^(?P<name>[a-z][a-z0-9 ]*?)\s*(?P<mod>\([0-9 ,]+\))?(?P<dims>(\s*\[\])*)$")


def type_name(text: str) -> str:
    """`varchar(50)[]` → `character varying(50)[]`; anything not certainly known stays as written."""
    m = _TYPE.match(text.strip().lower())
    if not m:
        return text
    name, mod, dims = m.group("name"), (m.group("mod") or "").replace(" ", ""), m.group("dims").replace(" ", "")
    canonical = ALIASES.get(name, name)
    if canonical in ("timestamp with time zone", "timestamp without time zone", "time with time zone", "time without time zone") and mod:
        head, _, tail = canonical.partition(" with")
        return f"{head}{mod} with{tail}{dims}"
    return f"{canonical}{mod}{dims}"


_STRING = re.compile(r"^'(?:[^']|'')*'$")
_MODIFIER = re.compile(r"\([0-9 ,]+\)")
KEYWORDS = {"current_timestamp": "CURRENT_TIMESTAMP", "current_date": "CURRENT_DATE", "current_user": "CURRENT_USER"}


def default(text: str | None, typ: str) -> str | None:
    """`'open'` on a public.ticket_status column → `'open'::public.ticket_status` (PostgreSQL
    casts a literal to its column's type, without the length); `current_timestamp` upper-cased."""
    if text is None:
        return None
    value = text.strip()
    if _STRING.match(value):
        return f"{value}::{_MODIFIER.sub('', typ)}"
    return KEYWORDS.get(value.lower(), value)


def _column(c: Column, keys: set[str], have: Column | None) -> Column:
    if c.sequence_grants is None and have is not None:  # not the YAML's to say: as it is
        c = replace(c, sequence_grants=have.sequence_grants)
    serial = SERIALS.get(c.type.strip().lower())
    if serial and have is not None and have.type == serial and (have.default or "").startswith("nextval("):
        return replace(c, type=serial, default=have.default, not_null=True)
    typ = type_name(c.type)
    return replace(c, type=typ, default=default(c.default, typ), not_null=c.not_null or c.name in keys or c.identity is not None)


def _table(t: Table, current: Table | None) -> Table:
    keys = {col for k in t.constraints if k.kind == "primary_key" for col in k.columns}
    return replace(t, columns=tuple(_column(c, keys, current.column(c.name) if current else None) for c in t.columns))


def _signature_type(text: str) -> str:
    """A function's argument or result type as PostgreSQL keeps it: without its modifier
    (`varchar(50)` is stored as `character varying`)."""
    if not _TYPE.match(text.strip().lower()):
        return text
    return _MODIFIER.sub("", type_name(text))


def _function(f: Function) -> Function:
    """Types spelled as stored; the body is kept as written, as PostgreSQL keeps a string body.
    Argument defaults are expressions PostgreSQL prints its own way: left as written (a
    difference there is a `create or replace`, which drops nothing)."""
    return replace(
        f,
        arguments=tuple(Argument(a.name, _signature_type(a.type), a.default, a.mode) for a in f.arguments),
        returns=_signature_type(f.returns) if f.returns else f.returns,
        returns_table=tuple((n, _signature_type(t)) for n, t in f.returns_table),
    )


def spelled_like_postgres(authored: Catalog, current: Catalog) -> tuple[Catalog, dict[str, str]]:
    """The spelled catalog, and each function's identity in it (as the diff's function keys)."""
    functions = tuple(f if f.external else _function(f) for f in authored.functions)
    keys = {a.identity: s.identity for a, s in zip(authored.functions, functions)}
    tables = tuple(t if t.external else _table(t, current.table(t.qualname)) for t in authored.tables)
    return replace(authored, tables=tables, functions=functions), keys
