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
from .migrations import Statement, parse
from .model import Catalog
from .runner import execute, run

# Every statement a template writes starts with one of these; anything else in a generated
# migration came from text that escaped its place (the validator and the quoting filters
# prevent it; this is the last line).
GENERATED_VERBS = frozenset({"create", "alter", "grant", "revoke", "comment", "drop", "insert", "update", "select", "do"})  # do: an online backfill


def needs_own_database(text: str, filename: str) -> bool:
    """Whether proving `text` needs a copy of the database of its own: statements that commit
    on their own (the autocommit segment) cannot run inside a transaction that is rolled back.
    Everything else is proven on the database itself, in a transaction that always rolls back —
    no copy to make (a clone of a 1000-table template costs more than the whole diff)."""
    try:
        return bool(parse(Path(filename), text).autocommit)
    except MigrationError:
        return True  # prove() reports why it does not parse


def statements_of(text: str, filename: str = "the migration") -> tuple[str, ...]:
    """What the runner would execute of `text`, in order (comments and layout aside): two texts
    with the same statements do the same thing to the same database."""
    try:
        parsed = parse(Path(filename), text)
    except MigrationError:
        return ()
    return tuple(st.text for st in (*parsed.autocommit, *parsed.transactional))


def run_and_read(conn: psycopg.Connection, text: str, filename: str, scope: Scope, generated_statements: int | None = None) -> Catalog:
    """Run `text` on `conn` as the runner runs a migration and read back what it holds then.
    `conn` is on a throwaway copy of the current state, or inside a transaction the caller rolls
    back (the runner's transaction is then a savepoint in it: the same statements, the same
    checks). Raises UnprovenPlan naming the statement that failed."""
    try:
        parsed = parse(Path(filename), text)
    except MigrationError as e:
        raise UnprovenPlan([f"the migration would not parse: {e.message} (line {e.line})"]) from None
    inside = conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE
    if inside and parsed.autocommit:
        raise UnprovenPlan(["the migration has statements that commit on their own: it can only be proven on a copy"])
    statements = [*parsed.autocommit, *parsed.transactional]
    for st in statements[:generated_statements]:
        verb = st.text.split(None, 1)[0].lower() if st.text.strip() else ""
        if verb not in GENERATED_VERBS:
            raise UnprovenPlan([f"line {st.line}: a generated statement starts with `{verb}`: {' '.join(st.text.split())[:100]}"])
    if not inside:
        conn.autocommit = True
    try:
        run(conn, parsed, filename)
        if inside:  # what a commit would check: deferred constraints fire now, not never
            execute(conn, Statement("set constraints all immediate", 0), filename)
    except MigrationError as e:
        failed = f"{filename}:{e.line}: {e.message}" + (f"\n      statement: {' '.join((e.statement or '').split())[:160]}" if e.statement else "")
        if generated_statements is not None and e.statement and e.statement.strip() in {st.text.strip() for st in statements[generated_statements:]}:
            raise UnprovenRawSql([failed]) from None
        raise UnprovenPlan([failed]) from None
    return introspect(conn, scope)


def prove(conn: psycopg.Connection, text: str, filename: str, scope: Scope, desired: Catalog, authored: Catalog, keys: dict[str, str], generated_statements: int | None = None) -> Catalog:
    """Run `text` on `conn` (see run_and_read) and return what it holds afterwards. Raises
    UnprovenPlan naming the failing statement or what still differs."""
    result = run_and_read(conn, text, filename, scope, generated_statements)
    residue = diff(result, desired, authored, keys)
    if not residue.empty:
        raise UnprovenPlan([f"still differs afterwards: {k}" for k in (*(op.key for op in residue.ops), *residue.unsupported)])
    return result
