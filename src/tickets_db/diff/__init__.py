"""diff(current, desired) → operations. The only entry point.

`desired` is compared with `current` as PostgreSQL stores both (so spelling differences such as
varchar vs character varying never count as changes); `authored` is the same catalog as the YAML
wrote it, and is what new or changed objects are rendered from, so migrations read like
hand-written SQL. Renames happen only where the YAML says `renamed_from` (or, for constraints and
indexes, where the definition is unchanged and only the name followed); what cannot be done
safely (an enum value removed, a domain changed) is reported, never guessed. Each kind's
comparison lives in kinds/; this module runs them and orders what they found."""
from __future__ import annotations

from dataclasses import dataclass

from ..kinds import COMPARISONS, functions, tables, views
from ..kinds.common import Change, Op
from ..model import Catalog
from .graph import dependants, depends
from .order import order


@dataclass(frozen=True)
class Plan:
    ops: tuple[Op, ...]
    unsupported: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.ops and not self.unsupported


def diff(current: Catalog, desired: Catalog, authored: Catalog | None = None, function_keys: dict[str, str] | None = None) -> Plan:
    d = Change(current, desired, authored or desired, function_keys or {})
    d.current = tables.renames(d)
    d.rebuild = _to_rebuild(d)
    for compare in COMPARISONS:
        compare(d)
    return Plan(tuple(order(d.ops, depends(d.current))), tuple(d.unsupported))


def _to_rebuild(d: Change) -> set[str]:
    """Dependants that must be dropped and created again: of functions that are dropped or
    change signature or result, of columns whose type changes, and of views dropped and
    created again; transitively (graph.py)."""
    gone = {f"{f.kind} {f.identity}" for f in functions.to_drop(d)}
    for t in d.current.tables:
        des = d.desired.table(t.qualname)
        for c in t.columns:
            want = des.column(c.name) if des else None
            if want is not None and (want.type, want.collation) != (c.type, c.collation):
                gone.add(f"column {t.qualname}.{c.name}")
    for v in d.current.views:
        wanted = d.desired.view(v.qualname)
        if wanted is None or v == wanted:
            continue
        if v.materialized or wanted.materialized:  # no create or replace: a new query rebuilds it
            if (v.materialized, v.query) != (wanted.materialized, wanted.query):
                gone.add(f"{views.kind(v)} {v.qualname}")
        elif not views.replaceable(v, wanted):
            gone.add(f"view {v.qualname}")
    return dependants(depends(d.current), gone)
