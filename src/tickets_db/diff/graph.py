"""What depends on what in a current state: as the database recorded it (pg_depend, read by
introspect into `Catalog.depends`), or, for a catalog no database has read (the YAML a
migrated template is remembered to hold), as the model's texts mention it. Both give edges
(dependant, dependency) named as the operations name objects."""
from __future__ import annotations

from collections.abc import Iterable

from ..kinds.common import mentions
from ..model import Catalog

Edges = tuple[tuple[str, str], ...]


def depends(catalog: Catalog) -> Edges:
    return catalog.depends or _guessed(catalog)


def dependants(edges: Edges, of: Iterable[str]) -> set[str]:
    """Everything that depends on `of`, directly or through others."""
    by_dependency: dict[str, set[str]] = {}
    for dependant, dependency in edges:
        by_dependency.setdefault(dependency, set()).add(dependant)
    found: set[str] = set()
    todo = list(of)
    while todo:
        for x in by_dependency.get(todo.pop(), ()):
            if x not in found:
                found.add(x)
                todo.append(x)
    return found


def _guessed(cat: Catalog) -> Edges:
    """Policies on the columns and functions their expressions name, triggers on their
    functions, views on the tables, views and functions their queries name."""
    functions = {f.qualname: f"function {f.identity}" for f in cat.functions}
    edges: set[tuple[str, str]] = set()
    for t in cat.tables:
        for p in t.policies:
            policy = f"policy {t.qualname}.{p.name}"
            for n in mentions(p.using) | mentions(p.with_check):
                edges |= {(policy, f"column {t.qualname}.{c.name}") for c in t.columns if n in (f"public.{c.name}", f"{t.qualname}.{c.name}")}
                if n in functions:
                    edges.add((policy, functions[n]))
        edges |= {(f"trigger {t.qualname}.{tr.name}", functions[tr.function]) for tr in t.triggers if tr.function in functions}
    for v in cat.views:
        view, names = f"view {v.qualname}", mentions(v.query)
        edges |= {(view, fn) for name, fn in functions.items() if name in names}
        for t in cat.tables:
            if t.qualname in names or f"public.{t.name}" in names:
                edges |= {(view, f"column {t.qualname}.{c.name}") for c in t.columns} | {(view, f"table {t.qualname}")}
        edges |= {(view, f"view {w.qualname}") for w in cat.views if w.qualname in names}
    return tuple(sorted(edges))
