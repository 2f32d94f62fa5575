"""Lint a project: its YAML, or a live database and its pending migrations. Apart from the
rule catalogue (lint/__init__, lint/rules) because it reads the project through the planner,
and the loader reads the catalogue (lint_ignore names rules): no import cycle."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..authored import authored_catalog
from ..config import Project
from ..migrations import list_migrations
from . import Finding, ignores, lint, sort

if TYPE_CHECKING:  # the database stack loads only when a database is linted
    from ..target import Target


def run(project: "Project", target: "Target | None" = None, bodies: "Target | None" = None) -> list[Finding]:
    """Lint the YAML, or with a target the live database (and its pending migrations), with the
    YAML's justified exceptions applied to both; with `bodies`, also PL/pgSQL bodies through
    plpgsql_check in a throwaway database built from the migrations on that server."""
    authored = authored_catalog(project)
    excused = ignores(authored)
    checked: list[Finding] = []
    if bodies is not None:
        from ..introspect import Scope
        from .bodies import check_bodies

        skip = {obj.removeprefix("function ") for obj, rule in excused if rule == "plpgsql_check"}
        checked = check_bodies(bodies, list_migrations(project.migrations_dir), list(Scope.of(authored).schemas), authored, skip)
    if target is None:
        return sort(lint(authored, excused) + checked)
    from .. import db
    from ..planner import live_catalog
    from .migrations import hazards

    with db.connection(target.url) as conn:
        live = live_catalog(conn, authored)
        pending = [f for f in hazards(conn, list_migrations(project.migrations_dir), project.root) if (f.object, f.rule) not in excused]
    return sort(lint(live, excused) + pending + checked)
