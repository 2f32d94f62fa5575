"""Hazards of the migrations a database has not run yet, judged against that database's real
tables: adding a NOT NULL column without a default fails on a table with rows, and a plain
`create index`, a constraint added valid, `set not null` or a type change blocks writes to a big
table for as long as PostgreSQL builds, scans or rewrites (`migrate` warns too)."""
from __future__ import annotations

import re
from pathlib import Path

import psycopg
import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from ..config import display_path
from ..introspect import table_rows
from ..migrations import Migration, parse
from ..runner import history, pending
from . import Finding
from .rules import BIG_TABLE_ROWS, DATABASE_RULES

# What an `alter table` does that scans or rewrites the table under its lock.
LOCKING = (
    (re.compile(r"\badd\s+constraint\b.*\b(foreign\s+key|check)\b(?!.*\bnot\s+valid\b)", re.I | re.S), "adds a constraint that checks every row"),
    (re.compile(r"\bset\s+not\s+null\b", re.I), "sets not null, scanning every row"),
    (re.compile(r"\balter\s+column\s+\S+\s+(set\s+data\s+)?type\b", re.I), "changes a column's type, rewriting the table"),
)


def hazards(conn: psycopg.Connection, migrations: list[Migration], root: Path | None = None) -> list[Finding]:
    findings = []
    for m in pending(migrations, history(conn)):
        parsed = parse(m.path)
        for st in (*parsed.autocommit, *parsed.transactional):
            try:
                tree = sqlglot.parse_one(st.text, dialect="postgres")
            except SqlglotError:
                continue
            where = f"{display_path(m.path, root)}:{st.line}"
            if isinstance(tree, exp.Alter) and tree.args.get("kind") == "TABLE":
                table = tree.this.sql("postgres")
                online = parsed.online is not None  # its `set not null` follows a validated check: no scan
                done = [what for pattern, what in LOCKING if pattern.search(st.text) and not (online and what.startswith("sets not null"))]
                if done and (n := table_rows(conn, table, BIG_TABLE_ROWS)) >= BIG_TABLE_ROWS:
                    findings.append(_finding("migration_locks_big_table", f"table {table}", f"{where} {' and '.join(done)} of {n:,} rows", where))
                for action in tree.args.get("actions") or []:
                    kinds = {type(c.args.get("kind")) for c in action.args.get("constraints") or []} if isinstance(action, exp.ColumnDef) else set()
                    if exp.NotNullColumnConstraint in kinds and exp.DefaultColumnConstraint not in kinds and table_rows(conn, table, BIG_TABLE_ROWS):
                        findings.append(_finding("migration_not_null_without_default", f"table {table}", f"{where} adds {action.name} not null to a table with rows", where))
            elif isinstance(tree, exp.Create) and tree.args.get("kind") == "INDEX" and not tree.args.get("concurrently"):
                target = tree.this.args.get("table")
                table = target.sql("postgres") if target is not None else ""
                if table and (n := table_rows(conn, table, BIG_TABLE_ROWS)) >= BIG_TABLE_ROWS:
                    findings.append(_finding("migration_index_without_concurrently", f"table {table}", f"{where} indexes {n:,} rows without concurrently", where))
    return findings


def _finding(rule: str, obj: str, detail: str, where: str) -> Finding:
    severity, _, why, hint = DATABASE_RULES[rule]
    return Finding(rule, severity, obj, f"{detail}: {why}", hint, where)
