"""Lint a project: its YAML, or a live database and its pending migrations. Apart from the
rule catalogue (lint/__init__, lint/rules) because it reads the project through the planner,
and the loader reads the catalogue (lint_ignore names rules): no import cycle."""
from __future__ import annotations

from .. import db
from ..config import Project
from ..introspect import Scope
from ..migrations import list_migrations
from ..planner import authored_catalog, live_catalog
from ..target import Target
from . import Finding, ignores, lint, sort
from .bodies import check_bodies
from .migrations import hazards


def run(project: "Project", target: "Target | None" = None, bodies: "Target | None" = None) -> list[Finding]:
    """Lint the YAML, or with a target the live database (and its pending migrations), with the
    YAML's justified exceptions applied to both; with `bodies`, also PL/pgSQL bodies through
    plpgsql_check in a throwaway database built from the migrations on that server."""
    authored = authored_catalog(project)
    excused = ignores(authored)
    checked: list[Finding] = []
    if bodies is not None:
        skip = {obj.removeprefix("function ") for obj, rule in excused if rule == "plpgsql_check"}
        checked = check_bodies(bodies, list_migrations(project.migrations_dir), list(Scope.of(authored).schemas), authored, skip)
    if target is None:
        return sort(lint(authored, excused) + checked)
    with db.connection(target.url) as conn:
        live = live_catalog(conn, authored)
        pending = [f for f in hazards(conn, list_migrations(project.migrations_dir), project.root) if (f.object, f.rule) not in excused]
    return sort(lint(live, excused) + pending + checked)
