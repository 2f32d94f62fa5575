"""Every type PostgreSQL 15 has built in (pg_catalog's, by name and as format_type prints them),
and the spellings its grammar accepts for them. A test holds the list equal to a real server's
catalog. A column of any of these needs no declaration; a type of an extension is named with
the extension's schema (`extensions.citext`, `public.hstore`)."""
from __future__ import annotations

import re
from functools import cache

CATALOG = frozenset("""
"any" "char" aclitem any anyarray anycompatible anycompatiblearray anycompatiblemultirange
anycompatiblenonarray anycompatiblerange anyelement anyenum anymultirange anynonarray anyrange
bigint bit bool boolean box bpchar bytea char character cid cidr circle cstring date
datemultirange daterange event_trigger fdw_handler float4 float8 gtsvector index_am_handler inet
int2 int2vector int4 int4multirange int4range int8 int8multirange int8range integer internal
interval json jsonb jsonpath language_handler line lseg macaddr macaddr8 money name numeric
nummultirange numrange oid oidvector path pg_brin_bloom_summary pg_brin_minmax_multi_summary
pg_ddl_command pg_dependencies pg_lsn pg_mcv_list pg_ndistinct pg_node_tree pg_snapshot point
polygon real record refcursor regclass regcollation regconfig regdictionary regnamespace regoper
regoperator regproc regprocedure regrole regtype smallint table_am_handler text tid time
timestamp timestamptz timetz trigger tsm_handler tsmultirange tsquery tsrange tstzmultirange
tstzrange tsvector txid_snapshot unknown uuid varbit varchar void xid xid8 xml
""".split()) | frozenset({
    "bit varying", "character varying", "double precision", "time with time zone", "time without time zone",
    "timestamp with time zone", "timestamp without time zone",
})
# What the grammar accepts besides (gram.y's SimpleTypename), and serial, which create table takes.
GRAMMAR = frozenset({
    "int", "dec", "decimal", "float", "double", "national character", "national character varying", "national char",
    "national char varying", "nchar", "char varying", "serial", "serial2", "serial4", "serial8", "smallserial", "bigserial",
})
INTERVAL_FIELDS = re.compile(r"^interval (year|month|day|hour|minute|second)( to (month|hour|minute|second))?$")
_MODIFIERS = re.compile(r"\s*\([^()]*\)")
_ARRAY = re.compile(r"(\s*\[\s*\d*\s*\])+$|\s+array(\s*\[\s*\d*\s*\])?$")


@cache  # a schema spells a handful of types thousands of times
def base_name(text: str) -> str:
    """`character varying(20)[]` → `character varying`; `pg_catalog.int4` → `int4`."""
    name = _ARRAY.sub("", text.strip().lower())
    name = " ".join(_MODIFIERS.sub("", name).split())
    return name.removeprefix("pg_catalog.")


@cache
def is_builtin(text: str) -> bool:
    name = base_name(text)
    return name in CATALOG or name in GRAMMAR or bool(INTERVAL_FIELDS.match(name))
