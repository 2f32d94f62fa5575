"""One package per object kind: its catalog query (`*.sql`, read by introspect), its
comparison (`compare(change)`, called by diff in the order below), its operations (which know
their template, their place in the order and what they need first) and their templates
(`*.sql.j2`, rendered by render). Adding a kind is a package here plus its model class.

Policies and triggers are compared as parts of the table (or view) they are on."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from . import collations, default_privileges, domains, enums, event_triggers, functions, publications, rows, schemas, sequences, tables, types, views
from .common import Change

HERE = Path(__file__).parent

# The order comparisons run in (what a reader of a migration expects to see first); the
# dependency sort in diff/order.py then moves only what must move.
COMPARISONS: tuple[Callable[[Change], None], ...] = (
    schemas.compare, default_privileges.compare, enums.compare, collations.compare, types.compare, domains.compare, sequences.compare, tables.compare, functions.compare, views.compare, publications.compare, event_triggers.compare, rows.compare,
)


def query(name: str) -> Path:
    """`tables/columns` → the query file of that kind."""
    return HERE / f"{name}.sql"
