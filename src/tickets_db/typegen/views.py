"""What a view's columns are: names, types and whether they can be null. PostgreSQL marks every
view column nullable, which makes `Row` classes useless for views (peers do exactly that); a
column that is a plain reference to a NOT NULL column of a table not on the outer side of a
join cannot be null, and sqlglot's scope analysis can tell which ones those are."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import build_scope
from sqlglot.schema import MappingSchema

from ..model import Column, Table
from .pytypes import user_type


@dataclass(frozen=True, slots=True)
class ViewColumn:
    name: str
    type: str | None  # None when it cannot be told without a database
    not_null: bool


Relations = dict[str, tuple[ViewColumn, ...]]  # qualified table or view → its columns


def implied_not_null(c: Column, not_null_domains: frozenset[str] = frozenset()) -> bool:
    """NOT NULL as PostgreSQL enforces it: serial and identity columns are without saying so,
    and so are columns of a NOT NULL domain."""
    return c.not_null or c.identity is not None or c.serial or user_type(c.type) in not_null_domains


def relation_columns(table: Table, not_null_domains: frozenset[str] = frozenset()) -> tuple[ViewColumn, ...]:
    keys = {c for k in table.constraints if k.kind == "primary_key" for c in k.columns}
    return tuple(ViewColumn(c.name, c.type, implied_not_null(c, not_null_domains) or c.name in keys) for c in table.columns)


def infer(query: str, relations: Relations, default_schema: str = "public") -> tuple[ViewColumn, ...] | None:
    """The view's columns, or None when the query is beyond sqlglot (the caller falls back to
    the database's types and all-nullable)."""
    try:
        tree = sqlglot.parse_one(query, dialect="postgres")
        # Only the relations the query names: a schema of a thousand tables stays cheap.
        named = {f"{t.db or default_schema}.{t.name}" for t in tree.find_all(exp.Table)}
        mapping: dict[str, Any] = {}
        for qualname in named & relations.keys():
            schema_name, _, name = qualname.partition(".")
            mapping.setdefault(schema_name, {})[name] = {c.name: c.type or "unknown" for c in relations[qualname]}
        schema = MappingSchema(dict(mapping), dialect="postgres")
        tree = qualify(tree, schema=schema, dialect="postgres", db=default_schema, validate_qualify_columns=False, quote_identifiers=False)
        tree = annotate_types(tree, schema=schema, dialect="postgres")
        root = build_scope(tree)
    except SqlglotError:
        return None
    if root is None or not isinstance(root.expression, exp.Select):
        return None
    select = root.expression
    outer = _outer_side(select)
    columns = []
    for projection in select.selects:
        columns.append(_column(projection, root.sources, outer, relations, default_schema))
    return tuple(columns)


def _outer_side(select: exp.Select) -> set[str]:
    """Aliases whose rows may be missing (null-extended) because of an outer join."""
    from_ = select.args.get("from")
    seen = [from_.this.alias_or_name] if from_ is not None else []
    nullable: set[str] = set()
    for join in select.args.get("joins") or []:
        alias = join.this.alias_or_name
        side = (join.side or "").upper()
        if side in ("LEFT", "FULL"):
            nullable.add(alias)
        if side in ("RIGHT", "FULL"):
            nullable.update(seen)
        seen.append(alias)
    return nullable


def _column(projection: Any, sources: dict[str, Any], outer: set[str], relations: Relations, default_schema: str) -> ViewColumn:
    name = projection.alias_or_name
    inner = projection.this if isinstance(projection, exp.Alias) else projection
    sql_type = None if projection.type is None or projection.type.this == exp.DataType.Type.UNKNOWN else projection.type.sql("postgres")
    if isinstance(inner, exp.Column):
        source = sources.get(inner.table)
        if isinstance(source, exp.Table):
            qualname = f"{source.db or default_schema}.{source.name}"
            found = next((c for c in relations.get(qualname, ()) if c.name == inner.name), None)
            if found is not None:
                return ViewColumn(name, found.type, found.not_null and inner.table not in outer)
    if isinstance(inner, exp.Window):  # count(*) over (…) is as never-null as count(*)
        inner = inner.this
    if isinstance(inner, (exp.Literal, exp.Count)):
        return ViewColumn(name, sql_type, True)
    if isinstance(inner, exp.Coalesce) and any(isinstance(e, exp.Literal) for e in [inner.this, *inner.expressions]):
        return ViewColumn(name, sql_type, True)
    return ViewColumn(name, sql_type, False)
