"""PL/pgSQL bodies checked by plpgsql_check (Debian's postgresql-15-plpgsql-check): errors that
PostgreSQL only reports when a branch runs — the course's ambiguous `max_tickets`, a misspelt
column in an UPDATE — found before anyone calls the function. It runs in a throwaway clone of
the migrated template, where the extension (superuser only) may be created."""
from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import psycopg

from .. import db
from ..config import database_of
from ..migrations import Migration
from ..model import Catalog
from ..target import Target
from . import Finding
from .rules import DATABASE_RULES

_, _, WHY, HINT = DATABASE_RULES["plpgsql_check"]

QUERY = (Path(__file__).parent / "plpgsql_check.sql").read_text()


def check_database(conn: psycopg.Connection, schemas: list[str], authored: Catalog | None = None, excused: Collection[str] = ()) -> list[Finding]:
    """Findings for every PL/pgSQL function of `schemas` in this database (the extension must be
    creatable by this connection's role), but those of the functions in `excused` (qualified names)."""
    db.create_extension(conn, "plpgsql_check", "postgresql-15-plpgsql-check")
    origins = {f.qualname: f.origin for f in authored.functions} if authored else {}
    findings = []
    for function, signature, line, level, message, hint in conn.execute(QUERY, {"schemas": schemas}).fetchall():
        if function in excused:
            continue
        severity = "error" if level == "error" else "warning"
        findings.append(Finding("plpgsql_check", severity, f"function {signature}", f"line {line} of the body: {message}: {WHY}", hint or HINT, origins.get(function)))
    return findings


def check_bodies(target: Target, migrations: list[Migration], schemas: list[str], authored: Catalog | None = None, excused: Collection[str] = ()) -> list[Finding]:
    template = target.migrated_template(migrations)
    with target.shadow(template) as url:
        name = database_of(url)
        superuser = target.cluster.url(name, "supabase_admin") if target.cluster is not None else url
        with db.connection(superuser) as conn:
            return check_database(conn, schemas, authored, excused)
