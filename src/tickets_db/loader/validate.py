"""Referential checks over the whole model: every reference resolves, every name is unique.
Structural checks (keys, types of values) happen earlier, in spec.py."""
from __future__ import annotations

from dataclasses import replace
from functools import cache

import difflib
import re
from collections import Counter

from ..errors import SchemaError
from ..lexer import shape_problem, token_list, tokens, top_level
from ..migrations import split_statements
from ..model import Catalog, Grant, Table, qualify
from ..platform import KNOWN_ROLES
from ..sql_expressions import parse, qualified_calls
from .builtin_types import base_name, is_builtin

IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")


def _err(origin: str | None, key: str, message: str, hint: str | None = None) -> SchemaError:
    return SchemaError.at(origin, key, message, hint)


def _suggest(name: str, options: list[str]) -> str | None:
    close = difflib.get_close_matches(name, options, 1)
    return f"did you mean `{close[0]}`?" if close else None


def validate_catalog(cat: Catalog) -> None:
    _check_shapes(cat)
    _unique_relations(cat)
    tables = {t.qualname: t for t in cat.tables}
    enums = {e.qualname for e in cat.enums} | {d.qualname for d in cat.domains} | {t.qualname for t in cat.composites}
    enums |= {r.qualname for r in cat.ranges} | {f"{r.schema}.{r.multirange}" for r in cat.ranges}
    schemas = {s.name for s in cat.schemas}
    functions = {f.qualname for f in cat.functions}
    composite = set(tables) | {v.qualname for v in cat.views}
    extension_schemas = frozenset(e.schema for e in cat.extensions)
    seen_functions: dict[str, str | None] = {}
    known = KNOWN_ROLES | frozenset(cat.roles)
    for ct in cat.composites:
        for attribute, attribute_type in ct.attributes:
            _check_type(attribute_type, ct.origin, f"types.{ct.qualname}.attributes.{attribute}", enums - {ct.qualname}, composite, extension_schemas)
    for rt in cat.ranges:
        _check_type(rt.subtype, rt.origin, f"types.{rt.qualname}.range", enums - {rt.qualname}, composite, extension_schemas)
    _unique_types(cat)
    for sq in cat.sequences:
        if sq.schema not in schemas:
            raise _err(sq.origin, sq.qualname, f"schema `{sq.schema}` is not declared", "add it under `schemas:`")
        _check_roles([g.role for g in sq.grants], sq.origin, f"sequences.{sq.qualname}.grants", known)
        if sq.owned_by:
            table_name, _, column_name = sq.owned_by.rpartition(".")
            owner = tables.get(table_name)
            if owner is None:
                raise _err(sq.origin, f"sequences.{sq.qualname}.owned_by", f"table `{table_name}` is not declared", _suggest(table_name, list(tables)))
            if owner.column(column_name) is None:
                raise _err(sq.origin, f"sequences.{sq.qualname}.owned_by", f"column `{column_name}` does not exist in {table_name}", _suggest(column_name, [c.name for c in owner.columns]))
            if owner.schema != sq.schema:
                raise _err(sq.origin, f"sequences.{sq.qualname}.owned_by", "a sequence can only be owned by a column of a table in its own schema", f"move the sequence to schema {owner.schema}")
    for dom in cat.domains:
        _check_type(dom.type, dom.origin, dom.qualname, enums - {dom.qualname}, composite, extension_schemas)
    for f in cat.functions:
        if f.identity in seen_functions:
            raise _err(f.origin, f.qualname, f"function {f.identity} is declared twice (first at {seen_functions[f.identity]})", "overloads need different argument types")
        seen_functions[f.identity] = f.origin
        if f.schema not in schemas:
            raise _err(f.origin, f.qualname, f"schema `{f.schema}` is not declared", "add it under `schemas:`")
        for a in f.arguments:
            _check_type(a.type, f.origin, f.qualname, enums, composite, extension_schemas)
        if f.returns and f.returns != "trigger":
            _check_type(f.returns, f.origin, f"{f.qualname}.returns", enums, composite, extension_schemas)
        for _, column_type in f.returns_table:
            _check_type(column_type, f.origin, f"{f.qualname}.returns_table", enums, composite, extension_schemas)
        _check_roles([g.role for g in f.grants], f.origin, f"{f.qualname}.execute", known)
    collations = {c.qualname for c in cat.collations}
    own_schemas = {s.name for s in cat.schemas if not s.external}
    for co in cat.collations:
        if co.schema not in schemas:
            raise _err(co.origin, co.qualname, f"schema `{co.schema}` is not declared", "add it under `schemas:`")
    for t in cat.tables:
        for col in t.columns:
            if col.collation and "." in col.collation and col.collation.split(".", 1)[0] in own_schemas and col.collation not in collations:
                raise _err(t.origin, f"{t.qualname}.{col.name}.collation", f"collation `{col.collation}` is not declared", _suggest(col.collation, sorted(collations)) or "declare it under `collations:`")
    for e in cat.extensions:
        if e.schema not in schemas and e.schema != "pg_catalog":
            raise _err(e.origin, e.name, f"schema `{e.schema}` is not declared", "add it under `schemas:`")
    for v in cat.views:
        seen_triggers: set[str] = set()
        for tr in v.triggers:
            if tr.name in seen_triggers:
                raise _err(tr.origin, tr.name, f"trigger `{tr.name}` is declared twice on {v.qualname}")
            seen_triggers.add(tr.name)
            if tr.function not in functions:
                raise _err(tr.origin, f"triggers.{tr.name}.function", f"trigger function `{tr.function}` is not declared", _suggest(tr.function, sorted(functions)))
    for t in cat.tables:
        if t.schema not in schemas:
            raise _err(t.origin, t.qualname, f"schema `{t.schema}` is not declared", "add it under `schemas:` (external: true for platform schemas)")
        _check_table(t, tables, enums, composite, functions, known, extension_schemas)
    for dp in cat.default_privileges:
        _check_roles([dp.role, *(g.role for g in dp.grants)], dp.origin, "default_privileges", known)
        if dp.schema and dp.schema not in schemas:
            raise _err(dp.origin, "default_privileges.schema", f"schema `{dp.schema}` is not declared", "add it under `schemas:` (external: true for public)")
    typed: list[tuple[str, str | None, tuple[Grant, ...] | None]] = [(x.name, x.origin, x.grants) for x in cat.schemas]
    typed += [(x.qualname, x.origin, x.grants) for x in cat.enums]
    typed += [(x.qualname, x.origin, x.grants) for x in cat.composites] + [(x.qualname, x.origin, x.grants) for x in cat.ranges]
    typed += [(x.qualname, x.origin, x.grants) for x in cat.domains]
    for type_name, type_origin, type_grants in typed:
        _check_roles([g.role for g in type_grants or ()], type_origin, f"{type_name}.grants", known)
    for et in cat.event_triggers:
        if et.function not in functions:
            raise _err(et.origin, f"event_triggers.{et.name}.function", f"function `{et.function}` is not declared", _suggest(et.function, sorted(functions)))
    for pub in cat.publications:
        for s in pub.schemas:
            if s not in schemas:
                raise _err(pub.origin, f"publications.{pub.name}.schemas", f"schema `{s}` is not declared", "add it under `schemas:`")
        for member in pub.tables:
            published = tables.get(member.table)
            if published is None:
                raise _err(pub.origin, f"publications.{pub.name}.tables", f"table `{member.table}` is not declared", _suggest(member.table, list(tables)))
            for c in member.columns:
                if published.column(c) is None:
                    raise _err(pub.origin, f"publications.{pub.name}.tables.{member.table}.columns", f"column `{c}` does not exist in {member.table}", _suggest(c, [x.name for x in published.columns]))
            if member.where:
                _expression(member.where, pub.origin, f"publications.{pub.name}.tables.{member.table}.where")
                _check_expression(member.where, published, f"publications.{pub.name}", functions)
    for r in cat.rows:
        owner = tables.get(r.table)
        if owner is None:
            raise _err(r.origin, r.table, f"rows for unknown table `{r.table}`", _suggest(r.table, list(tables)))
        names = [c.name for c in owner.columns]
        for c in r.columns:
            if c not in names:
                raise _err(r.origin, f"rows.{r.table}", f"column `{c}` does not exist in {r.table}", _suggest(c, names))


# What a template pastes between its own keywords must be one piece of SQL of the kind the
# field names: an expression, a type, a word. Everything else is quoted by the templates.
CONFIG_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$")
TYPE_PUNCT = frozenset(".()[],")


def _expression(text: str | None, origin: str | None, key: str) -> None:
    if text is None:
        return
    problem = "it is empty" if not text.strip() else shape_problem(text)
    if problem:
        raise _err(origin, key, f"`{_short(text)}` is not one SQL expression: {problem}", "write a single expression; quote text as a string literal ('…')")


def _type_shape(text: str, origin: str | None, key: str) -> None:
    for t in token_list(text):
        if t.kind not in ("space", "name", "quoted", "number") and not (t.kind == "punct" and t.text in TYPE_PUNCT):
            raise _err(origin, key, f"`{_short(text)}` is not a type name", "write a PostgreSQL type such as uuid, varchar(255), numeric(10, 2) or public.my_enum[]")
    if shape_problem(text):
        raise _err(origin, key, f"`{_short(text)}` is not a type name", "its parentheses do not match")


def _word(text: str, origin: str | None, key: str, what: str) -> None:
    if not IDENT.match(text):
        raise _err(origin, key, f"`{_short(text)}` is not a {what}", f"a {what} is one plain word (letters, digits, _)")


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 60 else flat[:57] + "…"


def _names(cat: Catalog) -> None:
    """PostgreSQL keeps the first 63 bytes of a name and drops the rest: a longer name would
    never match what the database holds."""
    found: list[tuple[str, str | None, str]] = [(s.name, s.origin, s.name) for s in cat.schemas]
    for t in cat.tables:
        found.append((t.name, t.origin, t.qualname))
        parts: list[str] = [x.name for x in t.columns] + [x.name for x in t.constraints] + [x.name for x in t.indexes] + [x.name for x in t.policies] + [x.name for x in t.triggers]
        found += [(name, t.origin, f"{t.qualname}.{name}") for name in parts]
    found += [(e.name, e.origin, e.qualname) for e in cat.enums] + [(d.name, d.origin, d.qualname) for d in cat.domains]
    found += [(f.name, f.origin, f.qualname) for f in cat.functions] + [(v.name, v.origin, v.qualname) for v in cat.views]
    found += [(a.name, f.origin, f.qualname) for f in cat.functions for a in f.arguments if a.name]
    for name, origin, key in found:
        if len(name.encode()) > 63:
            raise _err(origin, key, f"`{_short(name)}` is {len(name.encode())} bytes long: PostgreSQL keeps only the first 63 bytes of a name", "shorten it")


def _check_shapes(cat: Catalog) -> None:
    """Every text the templates place unquoted is of the shape its field promises, so no YAML
    can end a statement early or add one (PostgreSQL confirms each when the plan is proven)."""
    _names(cat)
    for d in cat.domains:
        _type_shape(d.type, d.origin, d.qualname)
        _expression(d.default, d.origin, f"{d.qualname}.default")
        _expression(d.check, d.origin, f"{d.qualname}.check")
    for t in cat.tables:
        for c in t.columns:
            where = f"{t.qualname}.{c.name}"
            _type_shape(c.type, t.origin, where)
            _expression(c.default, t.origin, f"{where}.default")
            _expression(c.generated, t.origin, f"{where}.generated")
            _expression(c.using, t.origin, f"{where}.using")
        for k in t.constraints:
            _expression(k.expression, t.origin, f"{t.qualname}.{k.name}.{k.kind}")
            if k.kind == "exclude" and not (k.expression or "").lstrip().lower().startswith(("using", "(")):
                raise _err(t.origin, f"{t.qualname}.{k.name}.exclude", "an exclusion constraint is `using METHOD (element with operator, …)`", "e.g. using gist (during with &&)")
        for i in t.indexes:
            _word(i.method, t.origin, f"{t.qualname}.indexes.{i.name}.method", "index method")
            _expression(i.where, t.origin, f"{t.qualname}.indexes.{i.name}.where")
            for col in i.columns:
                _expression(col, t.origin, f"{t.qualname}.indexes.{i.name}.columns")
                if any(x.kind == "punct" and x.text == "," for x in top_level(col)):
                    raise _err(t.origin, f"{t.qualname}.indexes.{i.name}.columns", f"`{_short(col)}` is several columns", "list each column as its own item")
        for p in t.policies:
            _expression(p.using, p.origin or t.origin, f"policies.{p.name}.using")
            _expression(p.with_check, p.origin or t.origin, f"policies.{p.name}.with_check")
        for tr in t.triggers:
            _expression(tr.when, tr.origin or t.origin, f"triggers.{tr.name}.when")
    for f in cat.functions:
        if f.external:
            continue
        _word(f.language, f.origin, f"{f.qualname}.language", "language name")
        for a in f.arguments:
            _type_shape(a.type, f.origin, f"{f.qualname}.args")
            _expression(a.default, f.origin, f"{f.qualname}.args")
        if f.returns:
            _type_shape(f.returns, f.origin, f"{f.qualname}.returns")
        for _, typ in f.returns_table:
            _type_shape(typ, f.origin, f"{f.qualname}.returns_table")
        for name, _ in f.config:
            if not CONFIG_NAME.match(name):
                raise _err(f.origin, f"{f.qualname}.set", f"`{_short(name)}` is not a setting name", "a setting is a name such as search_path")
        if f.standard_body:
            _standard_body(f.body, f.origin, f"{f.qualname}.body")
    for v in cat.views:
        _view_query(v.query, v.origin, v.qualname)
        for i in v.indexes:
            _word(i.method, v.origin, f"{v.qualname}.indexes.{i.name}.method", "index method")
            _expression(i.where, v.origin, f"{v.qualname}.indexes.{i.name}.where")
            for col in i.columns:
                _expression(col, v.origin, f"{v.qualname}.indexes.{i.name}.columns")
        for tr in v.triggers:
            _expression(tr.when, tr.origin or v.origin, f"triggers.{tr.name}.when")


def _standard_body(body: str, origin: str | None, key: str) -> None:
    """A SQL-standard body goes into the migration as SQL: `return` and one expression, or one
    `begin atomic … end` block that nothing follows (as psql and the runner split statements)."""
    text = body.strip()
    if text.split(None, 1)[0].lower() == "return":
        problem = shape_problem(text.split(None, 1)[1] if len(text.split(None, 1)) > 1 else "", comments=True)
    else:
        parts = [t for t in tokens(text) if t.kind != "space"]
        split = split_statements("create " + text)
        ends = bool(parts) and parts[-1].kind == "name" and parts[-1].text.lower() == "end"
        problem = None if len(split) == 1 and ends and not any(t.kind == "unterminated" for t in parts) else "it must be one `begin atomic … end` block with nothing after its `end`"
    if problem:
        raise _err(origin, key, f"the SQL-standard body is not one body: {problem}", "write `return <expression>` or `begin atomic <statements;> end`")


def _view_query(text: str, origin: str | None, key: str) -> None:
    statements = split_statements(text)
    body = statements[0].text.rstrip(";").strip() if len(statements) == 1 else ""
    problem = "it is empty" if not text.strip() else None if len(statements) == 1 else "it holds several statements"
    if problem is None and not re.match(r"(?is)^\(*\s*(select|with|values|table)\b", body):
        problem = "it does not start with select, with, values or table"
    if problem is None:
        problem = shape_problem(body, comments=True)
    if problem:
        raise _err(origin, f"{key}.query", f"the view's query is not one query: {problem}", "write one SELECT (no `;` inside, no second statement)")


def _unique_types(cat: Catalog) -> None:
    """Enums, domains, composite, range and multirange types, and the row types of tables and
    views share one namespace per schema (pg_type)."""
    owner: dict[str, str | None] = {t.qualname: t.origin for t in cat.tables} | {v.qualname: v.origin for v in cat.views}
    named = [(e.qualname, e.origin) for e in cat.enums] + [(d.qualname, d.origin) for d in cat.domains]
    named += [(c.qualname, c.origin) for c in cat.composites] + [(r.qualname, r.origin) for r in cat.ranges]
    named += [(f"{r.schema}.{r.multirange}", r.origin) for r in cat.ranges]
    for n, origin in named:
        if n in owner:
            raise _err(origin, n, f"the type name `{n}` is used twice (enums, domains, composite and range types, and the row types of tables and views share one namespace per schema)", f"first use at {owner[n]}; rename one")
        owner[n] = origin


def _unique_relations(cat: Catalog) -> None:
    """Tables, views, indexes and key constraints share one namespace per schema in PostgreSQL."""
    owner: dict[str, str | None] = {}
    for t in cat.tables:
        names = [(t.qualname, t.origin)]
        names += [(f"{t.schema}.{i.name}", t.origin) for i in t.indexes]
        names += [(f"{t.schema}.{c.name}", t.origin) for c in t.constraints if c.kind in ("primary_key", "unique", "exclude")]
        for n, origin in names:
            if n in owner:
                raise _err(origin, n, f"the name `{n}` is used twice (tables, views, indexes and keys share one namespace per schema)", f"first use at {owner[n]}; rename one")
            owner[n] = origin
    for sq in cat.sequences:
        if sq.qualname in owner:
            raise _err(sq.origin, sq.qualname, f"the name `{sq.qualname}` is used twice (sequences, tables, views and indexes share one namespace per schema)", f"first use at {owner[sq.qualname]}")
        owner[sq.qualname] = sq.origin
    for v in cat.views:
        if v.qualname in owner:
            raise _err(v.origin, v.qualname, f"the name `{v.qualname}` is used twice", f"first use at {owner[v.qualname]}")
        owner[v.qualname] = v.origin


@cache  # a schema spells a handful of types thousands of times
def _user_defined(base: str) -> bool | None:
    """Whether sqlglot reads the type as user-defined; None when it cannot read it."""
    from sqlglot import exp

    try:
        return bool(exp.DataType.build(base, dialect="postgres", udt=True).this == exp.DataType.Type.USERDEFINED)
    except Exception:  # sqlglot raises several types for unreadable input
        return None


def _check_type(text: str, origin: str | None, key: str, enums: set[str], composite: set[str], extension_schemas: frozenset[str]) -> None:
    """Built in, declared in the YAML (enum, domain, a table's or view's row type), or an
    extension's: named with the schema an extension the YAML declares lives in."""
    if is_builtin(text):
        return
    name = base_name(text)
    if qualify(name) in enums or qualify(name) in composite:
        return
    if "." in name and (name.split(".", 1)[0] in extension_schemas or name.startswith("extensions.")):
        return
    user_defined = _user_defined(name)
    if user_defined is None:
        raise _err(origin, key, f"cannot read the type `{text}`", "write a PostgreSQL type such as uuid, varchar(255) or public.my_enum")
    if not user_defined:
        return
    raise _err(origin, key, f"unknown type `{text}`", _suggest(qualify(name), sorted(enums | composite)) or "declare the enum under `enums:` (or the extension that provides it under `extensions:`), or check the spelling")


def _check_roles(roles: list[str], origin: str | None, key: str, known: frozenset[str] = KNOWN_ROLES) -> None:
    for r in roles:
        if r not in known:
            raise _err(origin, key, f"unknown role `{r}`", _suggest(r, sorted(known)) or f"known roles: {', '.join(sorted(known))}; declare others under `roles:`")


def _parents(t: Table, tables: dict[str, Table]) -> list[Table]:
    """The tables `t` takes columns from (its partitioned table, or the tables it inherits),
    nearest first, each once; unknown ones are an error at `t`."""
    out: list[Table] = []
    todo = [t.partition_of] if t.partition_of else list(t.inherits)
    while todo:
        name = todo.pop(0)
        parent = tables.get(name)
        if parent is None:
            key = "partition_of" if t.partition_of else "inherits"
            raise _err(t.origin, f"{t.qualname}.{key}", f"table `{name}` is not declared", _suggest(name, list(tables)))
        if parent not in out:
            out.append(parent)
            todo += [parent.partition_of] if parent.partition_of else list(parent.inherits)
    return out


def _check_table(t: Table, tables: dict[str, Table], enums: set[str], composite: set[str], functions: set[str], known: frozenset[str], extension_schemas: frozenset[str]) -> None:
    parents = _parents(t, tables)
    if t.partition_of and not tables[t.partition_of].partition_by:
        raise _err(t.origin, f"{t.qualname}.partition_of", f"table `{t.partition_of}` is not partitioned", "give it `partition_by:` (range, list or hash)")
    if parents:  # what its constraints, indexes and policies may name: its columns and its parents'
        t = replace(t, columns=(*(c for p in reversed(parents) for c in p.columns), *t.columns))
    names = [c.name for c in t.columns]
    counts = Counter(c.name for c in t.constraints)
    for n, k in counts.items():
        if k > 1:
            raise _err(t.origin, f"{t.qualname}.constraints", f"constraint name `{n}` is used twice", "name table constraints differently from the generated column ones")

    def need_column(col: str, key: str) -> None:
        if col not in names:
            raise _err(t.origin, key, f"column `{col}` does not exist in {t.qualname}", _suggest(col, names))

    if not t.external:
        for column in t.columns:
            _check_type(column.type, t.origin, f"{t.qualname}.{column.name}", enums, composite, extension_schemas)
    for c in t.constraints:
        for col in c.columns:
            need_column(col, f"{t.qualname}.constraints.{c.name}")
        if c.kind == "foreign_key":
            target = tables.get(c.ref_table or "")
            if target is None:
                raise _err(t.origin, f"{t.qualname}.{c.name}", f"foreign key references unknown table `{c.ref_table}`", _suggest(c.ref_table or "", list(tables)) or "declare it (external: true for platform tables)")
            target_names = [x.name for x in target.columns]
            for col in c.ref_columns:
                if col not in target_names:
                    raise _err(t.origin, f"{t.qualname}.{c.name}", f"column `{col}` does not exist in {target.qualname}", _suggest(col, target_names))
            if len(c.ref_columns or ("?",)) != len(c.columns) and c.ref_columns:
                raise _err(t.origin, f"{t.qualname}.{c.name}", "foreign key column counts differ")
        if c.kind == "check" and c.expression:
            _check_expression(c.expression, t, f"{t.qualname}.{c.name}", functions)
    for i in t.indexes:
        for col in i.columns:
            if IDENT.match(col):
                need_column(col, f"{t.qualname}.indexes.{i.name}")
    _check_roles([g.role for g in t.grants], t.origin, f"{t.qualname}.grants", known)
    seen: set[str] = set()
    for p in t.policies:
        if p.name in seen:
            raise _err(p.origin, p.name, f"policy `{p.name}` is declared twice on {t.qualname}")
        seen.add(p.name)
        _check_roles([r for r in p.roles if r != "public"], p.origin, f"policies.{p.name}.roles", known)
        if p.command == "insert" and p.using:
            raise _err(p.origin, f"policies.{p.name}.using", "an insert policy has no `using`, only `with_check`", "move the expression to with_check")
        if p.command in ("select", "delete") and p.with_check:
            raise _err(p.origin, f"policies.{p.name}.with_check", f"a {p.command} policy has no `with_check`, only `using`")
        for expr in (p.using, p.with_check):
            if expr:
                _check_expression(expr, t, f"policies.{p.name}", functions)
    seen = set()
    for tr in t.triggers:
        if tr.name in seen:
            raise _err(tr.origin, tr.name, f"trigger `{tr.name}` is declared twice on {t.qualname}")
        seen.add(tr.name)
        if tr.function not in functions:
            raise _err(tr.origin, f"triggers.{tr.name}.function", f"trigger function `{tr.function}` is not declared", _suggest(tr.function, sorted(functions)))
        for ev in tr.events:
            for col in ev.columns:
                if col not in names:
                    raise _err(tr.origin, f"triggers.{tr.name}.events", f"column `{col}` does not exist in {t.qualname}", _suggest(col, names))


def _check_expression(text: str, t: Table, key: str, functions: set[str]) -> None:
    """Catch typos PostgreSQL would only report at apply time: unknown schema-qualified functions
    and unknown columns of the table. Expressions sqlglot cannot read are left to PostgreSQL."""
    tree = parse(text)
    if tree is None:
        return
    origin = next((p.origin for p in t.policies if key.endswith(p.name)), t.origin)
    for qn in qualified_calls(tree):
        if qn not in functions:
            raise _err(origin, key, f"function `{qn}` is not declared", _suggest(qn, sorted(functions)) or "declare it under `functions:` (external: true for platform functions)")
    names = [c.name for c in t.columns]
    from sqlglot import exp

    for col in tree.find_all(exp.Column):
        if col.table or col.find_ancestor(exp.Select) is not None:
            continue
        if col.name not in names and not t.external:
            raise _err(origin, key, f"column `{col.name}` does not exist in {t.qualname}", _suggest(col.name, names))
