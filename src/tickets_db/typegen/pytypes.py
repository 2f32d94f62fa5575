"""PostgreSQL type names → Python annotations, following what psycopg 3 really returns
(Decimal for numeric, timedelta for interval, ipaddress objects for inet). The YAML's spelling
(`varchar(50)`, `timestamptz`) and the catalog's (`character varying(50)`, `timestamp with time
zone`) must map alike, so types are parsed by sqlglot rather than compared as text."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from sqlglot import exp
from sqlglot.errors import ParseError

T = exp.DataType.Type

# Annotations use module aliases so a column named `uuid` or `date` cannot shadow its own type.
BY_KIND: dict[object, str] = {
    **dict.fromkeys((T.SMALLINT, T.INT, T.BIGINT, T.SMALLSERIAL, T.SERIAL, T.BIGSERIAL), "int"),
    T.DECIMAL: "_decimal.Decimal",
    **dict.fromkeys((T.FLOAT, T.DOUBLE), "float"),
    T.BOOLEAN: "bool",
    **dict.fromkeys((T.TEXT, T.VARCHAR, T.CHAR, T.BPCHAR, T.NAME, T.XML, T.BIT, T.MONEY), "str"),
    T.UUID: "_uuid.UUID",
    T.DATE: "_dt.date",
    **dict.fromkeys((T.TIME, T.TIMETZ), "_dt.time"),
    **dict.fromkeys((T.TIMESTAMP, T.TIMESTAMPTZ, T.TIMESTAMPLTZ), "_dt.datetime"),
    T.INTERVAL: "PgInterval",
    **dict.fromkeys((T.JSON, T.JSONB), "JsonValue"),
    T.VARBINARY: "PgBytes",
    # psycopg returns an interface when the value carries a prefix length.
    T.INET: "_ipaddress.IPv4Address | _ipaddress.IPv6Address | _ipaddress.IPv4Interface | _ipaddress.IPv6Interface",
    # psycopg loads the built-in ranges and multiranges as its own Range and Multirange; the
    # module's Pg* aliases are those types, read by pydantic from PostgREST's text too
    **dict.fromkeys((T.INT4RANGE, T.INT8RANGE), "PgRange[int]"),
    T.NUMRANGE: "PgRange[_decimal.Decimal]",
    T.DATERANGE: "PgRange[_dt.date]",
    **dict.fromkeys((T.TSRANGE, T.TSTZRANGE), "PgRange[_dt.datetime]"),
    **dict.fromkeys((T.INT4MULTIRANGE, T.INT8MULTIRANGE), "PgMultirange[int]"),
    T.NUMMULTIRANGE: "PgMultirange[_decimal.Decimal]",
    T.DATEMULTIRANGE: "PgMultirange[_dt.date]",
    **dict.fromkeys((T.TSMULTIRANGE, T.TSTZMULTIRANGE), "PgMultirange[_dt.datetime]"),
}
# Types sqlglot does not know by kind, by their PostgreSQL name.
BY_NAME = {
    "cidr": "_ipaddress.IPv4Network | _ipaddress.IPv6Network",
    "citext": "str",
    "tsvector": "str",
    "macaddr": "str",
    "varbit": "str",
    '"char"': "str",
    "regclass": "str",
    "oid": "int",
    "void": "None",
    "record": "tuple[object, ...]",
}
MODULES = {"_decimal": "decimal", "_uuid": "uuid", "_dt": "datetime", "_ipaddress": "ipaddress"}


@dataclass(frozen=True, slots=True)
class TypeRef:
    """A column or argument type, resolved: the element type's key, its array depth."""

    element: str  # "int", "public.ticket_status", … (the element's annotation or a qualified user type)
    dims: int
    user_defined: bool


@cache  # a schema uses a handful of types over and over; sqlglot parses each once
def parse_type(name: str) -> TypeRef:
    """`character varying(50)[]`, `public.ticket_status`, `timestamptz` → what the element is."""
    text = name.strip()
    dims = 0
    while text.endswith("[]"):
        text, dims = text[:-2].rstrip(), dims + 1
    try:
        parsed = exp.DataType.build(text, dialect="postgres", udt=True)
    except (ParseError, ValueError):
        return TypeRef(text.lower(), dims, True)
    while parsed.this == T.ARRAY and parsed.expressions:
        parsed, dims = parsed.expressions[0], dims + 1
    if parsed.this in BY_KIND:
        return TypeRef(BY_KIND[parsed.this], dims, False)
    raw = text if parsed.this == T.USERDEFINED else parsed.sql("postgres")
    return TypeRef(_user_key(raw), dims, True)


def _user_key(raw: str) -> str:
    """`"MySchema"."Weird"` → `MySchema.Weird`; bare names stay bare (resolved by the caller)."""
    try:
        table = exp.to_table(raw, dialect="postgres")
    except (ParseError, ValueError):
        return raw
    if table.db:
        return f"{table.db}.{table.name}"
    return raw if raw.startswith('"') else table.name.lower()


def user_type(name: str, default_schema: str = "public") -> str | None:
    """The qualified name of a user-defined (enum, composite, domain…) element type, else None."""
    ref = parse_type(name)
    if not ref.user_defined:
        return None
    return ref.element if "." in ref.element else f"{default_schema}.{ref.element}"


def annotation(name: str, user_types: Mapping[str, str], default_schema: str = "public") -> str:
    """The annotation for a PostgreSQL type. `user_types` maps qualified enum, domain and
    composite names to the annotation generated for them; anything else psycopg returns as str."""
    ref = parse_type(name)
    if ref.user_defined:
        key = ref.element if "." in ref.element else f"{default_schema}.{ref.element}"
        inner = user_types.get(key) or BY_NAME.get(ref.element.rpartition(".")[2], "str")
    else:
        inner = ref.element
    for _ in range(ref.dims):
        inner = f"list[{inner}]"
    return inner


def modules_used(annotations: list[str]) -> list[str]:
    """`import x as _x` lines the annotations need, in a stable order."""
    used = {alias for text in annotations for alias in MODULES if re.search(rf"(?<![\w.]){alias}\.", text)}
    return [f"import {MODULES[a]} as {a}" for a in sorted(used, key=lambda a: MODULES[a])]


# What PostgREST's JSON (to_json) holds for a built-in type: numbers and booleans as JSON, json
# as itself, everything else (uuid, times, numeric's exactness aside, bytea, ranges…) as text.
JSON_BY_KIND: dict[object, str] = {
    **dict.fromkeys((T.SMALLINT, T.INT, T.BIGINT, T.SMALLSERIAL, T.SERIAL, T.BIGSERIAL), "int"),
    **dict.fromkeys((T.DECIMAL, T.FLOAT, T.DOUBLE), "float"),
    T.BOOLEAN: "bool",
    **dict.fromkeys((T.JSON, T.JSONB), "JsonValue"),
}
JSON_BY_NAME = {"oid": "int", "void": "None", "record": "JsonValue"}


def json_annotation(name: str, user_types: Mapping[str, str], default_schema: str = "public") -> str:
    """The annotation of a value of that type in PostgREST's JSON; `user_types` maps qualified
    enum, domain and composite names to theirs."""
    ref = parse_type(name)
    if ref.user_defined:
        key = ref.element if "." in ref.element else f"{default_schema}.{ref.element}"
        inner = user_types.get(key) or JSON_BY_NAME.get(ref.element.rpartition(".")[2], "str")
    else:
        inner = JSON_BY_KIND.get(_kind(name), "str")
    for _ in range(ref.dims):
        inner = f"list[{inner}]"
    return inner


@cache
def _kind(name: str) -> object:
    text = name.strip()
    while text.endswith("[]"):
        text = text[:-2].rstrip()
    try:
        parsed = exp.DataType.build(text, dialect="postgres", udt=True)
    except (ParseError, ValueError):
        return None
    while parsed.this == T.ARRAY and parsed.expressions:
        parsed = parsed.expressions[0]
    return parsed.this
