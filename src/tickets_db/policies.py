"""The policy matrix: for each table, command and API role, what a caller gets — which
policies decide, or why none do (no grant, no RLS, a role that bypasses RLS). Read from the
model, so it works on the YAML and on an introspected database alike."""
from __future__ import annotations

from dataclasses import dataclass

from .model import Catalog, Table
from .platform import API_ROLES

ROLES = API_ROLES
COMMANDS = ("select", "insert", "update", "delete")
BYPASS_RLS = frozenset({"service_role"})  # as on Supabase: service_role has bypassrls


@dataclass(frozen=True, slots=True)
class Cell:
    verdict: str  # policies | all | none | no grant
    policies: tuple[str, ...] = ()
    restrictive: tuple[str, ...] = ()
    why: str = ""


@dataclass(frozen=True, slots=True)
class Line:
    table: str
    command: str
    cells: tuple[Cell, ...]  # one per ROLES


def _granted(t: Table, role: str, command: str) -> bool | None:
    """Whether the role holds the privilege; None for platform tables, whose grants the YAML
    does not own."""
    if t.external:
        return None
    return any(g.role in (role, "public") and command in g.privileges for g in t.grants)


def cell(t: Table, role: str, command: str) -> Cell:
    if _granted(t, role, command) is False:
        return Cell("no grant", why=f"{role} has no {command} privilege")
    if role in BYPASS_RLS:
        return Cell("all", why="bypasses RLS")
    if not t.rls and not t.external:
        return Cell("all", why="RLS is off")
    applies = [p for p in t.policies if p.command in (command, "all") and ("public" in p.roles or role in p.roles)]
    permissive = tuple(p.name for p in applies if p.permissive)
    restrictive = tuple(p.name for p in applies if not p.permissive)
    if not permissive:
        return Cell("none", restrictive=restrictive, why="no permissive policy")
    return Cell("policies", permissive, restrictive)


def matrix(catalog: Catalog) -> list[Line]:
    tables = sorted((t for t in catalog.tables if t.rls or t.policies or not t.external), key=lambda t: t.qualname)
    return [Line(t.qualname, c, tuple(cell(t, r, c) for r in ROLES)) for t in tables for c in COMMANDS]
