"""Proving a plan before anyone sees it (pg-schema-diff's plan validation, Atlas's dev database):
the migration text exactly as it would be written is run, as the runner runs a migration, on a
throwaway database holding the current state; the result is read back and compared with what
the YAML asks for. A statement that fails, or anything left over, refuses the plan."""
from __future__ import annotations

from pathlib import Path

import psycopg

from .diff import diff
from .errors import MigrationError, UnprovenPlan, UnprovenRawSql
from .introspect import Scope, introspect
from .migrations import parse
from .model import Catalog
from .runner import run

# Every statement a template writes starts with one of these; anything else in a generated
# migration came from text that escaped its place (the validator and the quoting filters
# prevent it; this is the last line).
GENERATED_VERBS = frozenset({"create", "alter", "grant", "revoke", "comment", "drop", "insert", "update", "select"})


def prove(conn: psycopg.Connection, text: str, filename: str, scope: Scope, desired: Catalog, authored: Catalog, keys: dict[str, str], generated_statements: int | None = None) -> Catalog:
    """Run `text` on `conn` (a throwaway copy of the current state) and return what it holds
    afterwards. Raises UnprovenPlan naming the failing statement or what still differs."""
    try:
        parsed = parse(Path(filename), text)
    except MigrationError as e:
        raise UnprovenPlan([f"the migration would not parse: {e.message} (line {e.line})"]) from None
    statements = [*parsed.autocommit, *parsed.transactional]
    for st in statements[:generated_statements]:
        verb = st.text.split(None, 1)[0].lower() if st.text.strip() else ""
        if verb not in GENERATED_VERBS:
            raise UnprovenPlan([f"line {st.line}: a generated statement starts with `{verb}`: {' '.join(st.text.split())[:100]}"])
    conn.autocommit = True
    try:
        run(conn, parsed, filename)
    except MigrationError as e:
        failed = f"{filename}:{e.line}: {e.message}" + (f"\n      statement: {' '.join((e.statement or '').split())[:160]}" if e.statement else "")
        if generated_statements is not None and e.statement and e.statement.strip() in {st.text.strip() for st in statements[generated_statements:]}:
            raise UnprovenRawSql([failed]) from None
        raise UnprovenPlan([failed]) from None
    result = introspect(conn, scope)
    residue = diff(result, desired, authored, keys)
    if not residue.empty:
        raise UnprovenPlan([f"still differs afterwards: {k}" for k in (*(op.key for op in residue.ops), *residue.unsupported)])
    return result
