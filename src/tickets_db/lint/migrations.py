"""Hazards of the migrations a database has not run yet, judged against that database's real
tables: adding a NOT NULL column without a default fails on a table with rows, and a plain
`create index` blocks writes to a big table for as long as it builds."""
from __future__ import annotations

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
