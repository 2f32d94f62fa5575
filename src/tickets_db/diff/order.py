"""Put operations in an order PostgreSQL accepts and a reader expects: a fixed kind order, then
the order the YAML declares things, then a dependency sort (a function before the policy that
calls it, a referenced table before the foreign key) that keeps that order wherever it can."""
from __future__ import annotations

import heapq
import re

from ..model import split_origin
from ..operations import (
    AddColumn,
    AddConstraint,
    AddEnumValue,
    AlterColumn,
    AlterPolicy,
    Comment,
    DROP_ORDER,
    Drop,
    Rename,
    UpdateRows,
    CreateDomain,
    CreateEnum,
    CreateExtension,
    CreateFunction,
    CreateIndex,
    CreatePolicy,
    CreateSchema,
    CreateTable,
    CreateTrigger,
    CreateView,
    EnableRls,
    InsertRows,
    Op,
    SetGrants,
)

# Drops first (what depends on something before it), then renames, then everything else.
PHASE = {Drop: -2, Rename: -1, AddEnumValue: 0, CreateSchema: 1, CreateExtension: 2, CreateEnum: 3, CreateDomain: 3}
# Within one declaration, the order the course writes a table's parts in.
SUBRANK = {CreateTable: 0, AddColumn: 1, AddConstraint: 2, Comment: 3, SetGrants: 4, CreateIndex: 5, EnableRls: 6, CreatePolicy: 7, CreateFunction: 0, CreateView: 0, CreateTrigger: 8, InsertRows: 9}
_QUALIFIED = re.compile(r'"?([A-Za-z_][\w$]*)"?\s*\.\s*"?([A-Za-z_][\w$]*)"?')
_BARE = re.compile(r"\b([A-Za-z_][\w$]*)\b")
_STRINGS = re.compile(r"'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/", re.S)


class DependencyCycle(Exception):
    pass


def mentions(text: str | None) -> set[str]:
    """Schema-qualified and bare names a SQL text mentions (strings and comments skipped)."""
    if not text:
        return set()
    text = _STRINGS.sub(" ", text)
    found = {f"{a}.{b}".lower() for a, b in _QUALIFIED.findall(text)}
    found |= {f"public.{w}".lower() for w in _BARE.findall(text)}
    return found


def _provides(op: Op) -> set[str]:
    match op:
        case CreateSchema():
            return {f"schema:{op.schema.name}"}
        case CreateEnum():
            return {f"type:{op.enum.qualname}"}
        case CreateDomain():
            return {f"type:{op.domain.qualname}"}
        case CreateTable():
            return {f"rel:{op.table.qualname}", f"type:{op.table.qualname}"}
        case CreateView():
            return {f"rel:{op.view.qualname}", f"type:{op.view.qualname}"}
        case CreateFunction():
            return {f"fn:{op.function.qualname}"}
        case InsertRows():
            return {f"rows:{op.rows.table}"}
        case AddColumn():
            return {f"col:{op.table}.{op.column.name}"}
        case Drop() if op.kind == "table":
            return {f"dropping-refs:{r}" for r in op.refs if r != op.target} | {f"dropped:{op.target}"}
        case Drop() if op.kind in ("column", "index", "constraint"):
            return {f"dropped-{op.kind}:{op.table}.{op.target}"}
        case Rename() if op.kind == "table":
            return {f"renamed:{op.table.split('.')[0]}.{op.new}"}
    return set()


def _type_refs(type_text: str) -> set[str]:
    base = type_text.strip().removesuffix("[]").strip().lower()
    name = base if "." in base else f"public.{base}"
    return {f"type:{name}"}


def _requires(op: Op, foreign: dict[str, set[str]]) -> set[str]:
    match op:
        case CreateDomain():
            return {f"schema:{op.domain.schema}"} | _type_refs(op.domain.type)
        case CreateTable():
            t = op.table
            req = {f"schema:{t.schema}"}
            for c in t.columns:
                req |= _type_refs(c.type)
            for k in t.constraints:
                if k.kind == "foreign_key" and k.ref_table != t.qualname and k.name not in op.deferred:
                    req.add(f"rel:{k.ref_table}")
            return req
        case AddColumn():
            req = {f"rel:{op.table}"} | _type_refs(op.column.type)
            return req | {f"rel:{k.ref_table}" for k in op.constraints if k.ref_table}
        case AddConstraint():
            return {f"rel:{op.table}"} | ({f"rel:{op.constraint.ref_table}"} if op.constraint.ref_table else set())
        case Comment():
            if op.target_kind == "function":
                return {f"fn:{op.target}"}
            if op.target_kind == "column":
                return {f"rel:{op.target.rsplit('.', 1)[0]}"}
            if op.target_kind == "type":
                return {f"type:{op.target}"}
            if op.target_kind == "schema":
                return {f"schema:{op.target}"}
            return {f"rel:{op.target}"}
        case SetGrants():
            if op.target_kind == "function":
                return {f"fn:{op.target}"}
            if op.target_kind == "schema":
                return {f"schema:{op.target}"}
            if op.target_kind == "column":
                table = op.target.rsplit(".", 1)[0]
                return {f"rel:{table}", f"col:{op.target}"}
            return {f"rel:{op.target}"}
        case CreateIndex() | EnableRls():
            return {f"rel:{op.table}"}
        case AlterColumn():
            return {f"rel:{op.table}"} | (_type_refs(op.type) if op.type else set())
        case Drop() if op.kind == "table":
            return {f"dropping-refs:{op.target}"}
        case Drop() if op.table:  # a part of a table that may have just been renamed
            return {f"renamed:{op.table}"}
        case Rename() if op.kind == "table":  # into the name of a table that goes
            return {f"dropped:{op.table.split('.')[0]}.{op.new}"}
        case Rename():  # into the name of a column, index or constraint that goes
            return {f"renamed:{op.table}", f"dropped-{op.kind}:{op.table}.{op.new}"}
        case UpdateRows():
            return {f"rel:{op.rows.table}"} | {f"rows:{op.rows.table}"}
        case CreatePolicy() | AlterPolicy():
            names = mentions(op.policy.using) | mentions(op.policy.with_check)
            return {f"rel:{op.table}"} | {f"fn:{n}" for n in names} | {f"rel:{n}" for n in names}
        case CreateTrigger():
            return {f"rel:{op.table}", f"fn:{op.trigger.function}"}
        case CreateFunction():
            f = op.function
            req = {f"schema:{f.schema}"}
            for a in f.arguments:
                req |= _type_refs(a.type)
            for _, typ in f.returns_table:
                req |= _type_refs(typ)
            if f.returns:
                req |= _type_refs(f.returns)
            if f.language == "sql":  # validated when created: what the body names must exist
                names = mentions(f.body)
                req |= {f"fn:{n}" for n in names} | {f"rel:{n}" for n in names}
            return req
        case CreateView():
            names = mentions(op.view.query)
            return {f"schema:{op.view.schema}"} | {f"fn:{n}" for n in names} | {f"rel:{n}" for n in names}
        case InsertRows():
            return {f"rel:{op.rows.table}"} | {f"rows:{t}" for t in foreign.get(op.rows.table, set())}
    return set()


def _position(origin: str | None) -> tuple[str, int]:
    if not origin:
        return ("~", 0)
    file, line = split_origin(origin)
    return file, line or 0


def _rank(op: Op) -> tuple[object, ...]:
    if isinstance(op, Drop):  # by kind (foreign keys before the keys they point at), then name
        return (PHASE[Drop], "", DROP_ORDER.index(op.kind), 0 if op.kind == "constraint" and op.refs else 1, op.key)
    return (PHASE.get(type(op), 9), *_position(op.origin), SUBRANK.get(type(op), 5), "")


def order(ops: list[Op]) -> list[Op]:
    base = [(*_rank(op), i) for i, op in enumerate(ops)]
    # Rows that reference other tables' rows (role_permissions → roles) follow them.
    foreign: dict[str, set[str]] = {}
    for op in ops:
        if isinstance(op, CreateTable):
            foreign[op.table.qualname] = {k.ref_table for k in op.table.constraints if k.kind == "foreign_key" and k.ref_table}
    provided: dict[str, set[int]] = {}
    for i, op in enumerate(ops):
        for p in _provides(op):
            provided.setdefault(p, set()).add(i)
    deps: list[set[int]] = []
    for i, op in enumerate(ops):
        need = set()
        for r in _requires(op, foreign):
            need |= provided.get(r, set())
        need.discard(i)
        deps.append(need)
    waiting = [len(d) for d in deps]
    users: dict[int, list[int]] = {}
    for i, d in enumerate(deps):
        for j in d:
            users.setdefault(j, []).append(i)
    heap = [base[i] for i in range(len(ops)) if waiting[i] == 0]
    heapq.heapify(heap)
    out: list[Op] = []
    while heap:
        i = int(heapq.heappop(heap)[-1])  # type: ignore[call-overload]
        out.append(ops[i])
        for u in users.get(i, []):
            waiting[u] -= 1
            if waiting[u] == 0:
                heapq.heappush(heap, base[u])
    if len(out) != len(ops):
        stuck = [ops[i].key for i in range(len(ops)) if waiting[i] > 0]
        raise DependencyCycle("these objects depend on each other in a cycle: " + ", ".join(stuck))
    return out
