"""Online migrations: the same plan, written so that a big table under constant writes keeps
serving (pgroll's and squawk's concern; `online: true` on a table, or `online = true` for the
project).

A plain migration takes ACCESS EXCLUSIVE locks for as long as PostgreSQL scans or builds:
`create index` blocks every write while it builds, `add constraint` (a foreign key, a check)
and `set not null` scan the table under a strong lock, a volatile default rewrites it. Online,
the migration becomes segments that each lock briefly:

1. one transaction: everything else, constraints added `not valid` (new rows are checked, old
   ones not yet), `set not null` as a `not valid` `is not null` check, a new column with a
   volatile default added without it and the default then set (new rows get it);
2. autocommit: indexes built `concurrently` (a unique key's or primary key's too, made the key
   with `using index` in step 4), the new column backfilled in committed batches;
3. one transaction: the filled columns' `is not null` checks, `not valid` (only now: an update
   of a row not yet filled would have failed them);
4. one transaction: `validate constraint` (a scan that blocks no writes);
5. one transaction: `set not null` (PostgreSQL skips the scan: the validated check proves it);
6. one transaction: the helper checks dropped. Not in 5's: a lock is held until its commit, so
   each of these two brief ACCESS EXCLUSIVE locks (each ~0.25 ms of the server's work) is held
   about half as long as one lock for both.

Every segment runs under the file's lock_timeout, retried (runner.py): a DDL statement that
waits for its lock gives up instead of queueing ahead of — and so blocking — every write. A
change that must rewrite the table (a column type, a new identity or serial column) has no
online form: it is refused with the expand/contract recipe unless allowed."""
from __future__ import annotations

from dataclasses import replace

from .errors import OnlineRefused
from .kinds.common import Op
from .kinds.tables import AddColumn, AddConstraint, AddConstraintUsingIndex, AlterColumn, Backfill, CreateIndex, CreateTable, DropHelperCheck, ValidateConstraint
from .loader.names import make_object_name
from .model import Column, Constraint, Index
from .render import ident

Segments = tuple[tuple[bool, tuple[Op, ...]], ...]  # (autocommit, operations), in order

def volatile(expression: str) -> bool:
    """Whether a default is evaluated per row (PostgreSQL then rewrites the table to add the
    column): random values, clocks, sequences, and any function sqlglot does not know (a
    user's, which may be). `now()` and constants are evaluated once: the add is instant."""
    from sqlglot import exp

    from .sql_expressions import parse

    tree = parse(expression)
    if tree is None:
        return True
    return any(isinstance(n, (exp.Uuid, exp.Rand, exp.Anonymous)) for n in tree.find_all(exp.Func))


def _not_null_check(table: str, column: str) -> Constraint:
    name = make_object_name(table.split(".", 1)[1], column, "not_null_online")
    return Constraint(name=name, kind="check", expression=f"{ident(column)} is not null", not_valid=True)


def segments(ops: tuple[Op, ...], online: frozenset[str], allow_rewrite: bool = False) -> Segments | None:
    """The plan as an online migration's segments, or None when no operation touches an online
    table that existed before (a table created by the same migration has no rows to protect)."""
    created = {op.table.qualname for op in ops if isinstance(op, CreateTable)}
    busy = online - created
    first: list[Op] = []
    build: list[Op] = []
    validate: list[Op] = []
    final: list[Op] = []
    cleanup: list[Op] = []  # the helper checks `set not null` needed, each dropped in a lock of its own
    refused: list[str] = []
    pre: list[Op] = []  # what must commit on its own first (enum value adds)
    filled: list[Op] = []  # after the backfill: the not-null checks of the columns it filled
    for op in ops:
        table = getattr(op, "table", None)
        if not op.transactional:
            pre.append(op)
        elif not isinstance(table, str) or table not in busy:
            first.append(op)
        elif isinstance(op, CreateIndex):
            build.append(replace(op, concurrently=True, hazard=None))
        elif isinstance(op, AddConstraint) and op.constraint.kind in ("foreign_key", "check") and not op.constraint.not_valid:
            first.append(replace(op, constraint=replace(op.constraint, not_valid=True), hazard=None))
            validate.append(ValidateConstraint(table=table, name=op.constraint.name))
        elif isinstance(op, AddConstraint) and op.constraint.kind in ("unique", "primary_key") and not op.constraint.deferrable:
            k = op.constraint  # its unique index built concurrently, then made the key
            build.append(CreateIndex(table=table, index=Index(name=k.name, columns=tuple(ident(c) for c in k.columns), unique=True), concurrently=True))
            validate.append(AddConstraintUsingIndex(table=table, name=k.name, primary=k.kind == "primary_key"))
        elif isinstance(op, AlterColumn) and op.type is not None:
            if allow_rewrite:
                first.append(op)
            else:
                refused.append(f"{op.key}: a type change rewrites {table} ({op.origin or 'the YAML'})")
        elif isinstance(op, AlterColumn) and op.not_null is True:
            rest = replace(op, not_null=None, hazard=None)
            if rest.change_default or rest.drop_expression or rest.drop_default_first:
                first.append(rest)
            check = _not_null_check(table, op.column)
            first.append(AddConstraint(table=table, constraint=check))
            validate.append(ValidateConstraint(table=table, name=check.name))
            final.append(AlterColumn(table=table, column=op.column, not_null=True))
            cleanup.append(DropHelperCheck(table=table, name=check.name))
        elif isinstance(op, AddColumn) and (op.column.serial or op.column.identity or op.column.generated):
            if allow_rewrite:
                first.append(op)
            else:
                refused.append(f"{op.key}: a new serial, identity or generated column rewrites {table} ({op.origin or 'the YAML'})")
        elif isinstance(op, AddColumn) and op.column.default is not None and volatile(op.column.default):
            if "$backfill$" in op.column.default:
                refused.append(f"{op.key}: its default cannot be backfilled (it holds `$backfill$`)")
                continue
            column: Column = op.column
            first.append(replace(op, column=replace(column, default=None, not_null=False), hazard=None))
            first.append(AlterColumn(table=table, column=column.name, default=column.default, change_default=True))
            build.append(Backfill(table=table, column=column.name, expression=column.default or ""))
            if column.not_null:  # checked from when every row is filled: an update of an unfilled row must not fail
                check = _not_null_check(table, column.name)
                filled.append(AddConstraint(table=table, constraint=check))
                validate.append(ValidateConstraint(table=table, name=check.name))
                final.append(AlterColumn(table=table, column=column.name, not_null=True))
                cleanup.append(DropHelperCheck(table=table, name=check.name))
        else:
            first.append(op)
    if refused:
        raise OnlineRefused(refused)
    if not build and not validate and not final:
        return None
    _keep_what_first_needs(first, build)
    out = ((True, tuple(pre)), (False, tuple(first)), (True, tuple(build)), (False, tuple(filled)), (False, tuple(validate)), (False, tuple(final)), (False, tuple(cleanup)))
    return tuple((autocommit, seg) for autocommit, seg in out if seg)


def _keep_what_first_needs(first: list[Op], build: list[Op]) -> None:
    """An index the first segment needs (a unique key a foreign key points at) cannot wait for
    the concurrent build: it is built in the first segment, as a plain migration would."""
    needed = set().union(*(op.requires({}) for op in first)) if first else set()
    for op in list(build):
        if isinstance(op, CreateIndex) and op.provides() & needed:
            build.remove(op)
            first.append(replace(op, concurrently=False))
