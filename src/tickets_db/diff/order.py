"""Put operations in an order PostgreSQL accepts and a reader expects: drops first, then
renames, then everything else in the order the YAML declares it; then a dependency sort that
keeps that order wherever it can. What must come first is what each operation says it needs
(kinds/), and for drops what depends on what (graph.py, from pg_depend): a dependant is
dropped before what it depends on, so a view on a view, a table under a view, a function
under a policy all go in an order PostgreSQL accepts."""
from __future__ import annotations

import heapq

from ..errors import DependencyCycle
from ..kinds.common import DROP_ORDER, Drop, Op
from ..kinds.tables import CreateTable
from ..model import split_origin
from .graph import Edges, dependants


def _position(origin: str | None) -> tuple[str, int]:
    if not origin:
        return ("~", 0)
    file, line = split_origin(origin)
    return file, line or 0


def _rank(op: Op) -> tuple[object, ...]:
    if isinstance(op, Drop):  # by kind (foreign keys before the keys they point at), then name
        return (op.phase, "", DROP_ORDER.index(op.kind), 0 if op.kind == "constraint" and op.refs else 1, op.key)
    return (op.phase, *_position(op.origin), op.subrank, "")


def _drop_dependencies(ops: list[Op], depends: Edges) -> dict[int, set[int]]:
    """Drop i waits for every drop whose object depends on i's, directly or not."""
    drops = {op.object: i for i, op in enumerate(ops) if isinstance(op, Drop)}
    if not depends or not drops:
        return {}
    return {i: {drops[x] for x in dependants(depends, [name]) if x in drops} - {i} for name, i in drops.items()}


def order(ops: list[Op], depends: Edges = ()) -> list[Op]:
    base = [(*_rank(op), i) for i, op in enumerate(ops)]
    # Rows that reference other tables' rows (role_permissions → roles) follow them.
    foreign: dict[str, set[str]] = {}
    for op in ops:
        if isinstance(op, CreateTable):
            foreign[op.table.qualname] = {k.ref_table for k in op.table.constraints if k.kind == "foreign_key" and k.ref_table}
    provided: dict[str, set[int]] = {}
    for i, op in enumerate(ops):
        for p in op.provides():
            provided.setdefault(p, set()).add(i)
    from_database = _drop_dependencies(ops, depends)
    deps: list[set[int]] = []
    for i, op in enumerate(ops):
        need = set(from_database.get(i, ()))
        for r in op.requires(foreign):
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
        raise DependencyCycle(sorted(ops[i].key for i in range(len(ops)) if waiting[i] > 0))
    return out
