"""Error types. Each carries what a user needs to fix the problem; the CLI prints them and
maps them to exit codes. Nothing else in the package catches broadly."""
from __future__ import annotations

from dataclasses import dataclass


class TicketsDbError(Exception):
    """Base for every error the CLI reports without a traceback."""

    exit_code = 1

    def render(self) -> str:
        return str(self)


@dataclass
class SchemaError(TicketsDbError):
    """A problem in the YAML: where it is, what is wrong, how to fix it."""

    file: str
    line: int | None
    key: str | None
    message: str
    hint: str | None = None

    exit_code = 2

    @classmethod
    def at(cls, origin: str | None, key: str | None, message: str, hint: str | None = None) -> "SchemaError":
        """An error at a model object's origin (`file:line`)."""
        from .model import split_origin

        file, line = split_origin(origin)
        return cls(file, line, key, message, hint)

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        key = f" [{self.key}]" if self.key else ""
        text = f"{where}{key}: {self.message}"
        return text + (f"\n  hint: {self.hint}" if self.hint else "")


@dataclass
class MigrationError(TicketsDbError):
    """A migration (or seed) file that cannot run: the file, the line and the statement."""

    file: str
    line: int | None
    message: str
    statement: str | None = None
    hint: str | None = None

    exit_code = 1

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        text = f"{where}: {self.message}"
        if self.statement:
            first = self.statement.strip().splitlines()[0][:120]
            text += f"\n  statement: {first}"
        return text + (f"\n  hint: {self.hint}" if self.hint else "")


class RefusedChanges(TicketsDbError):
    """`new` will not write this migration; nothing is written. Exit code 3."""

    exit_code = 3
    header = ""
    hint = ""

    def __init__(self, changes: list[str]):
        self.changes = changes
        super().__init__(self.header + "\n" + "\n".join(f"  - {c}" for c in changes) + f"\n  hint: {self.hint}")


class UnsupportedChangeError(RefusedChanges):
    """The YAML changed in a way that cannot be done safely (an enum value removed…)."""

    header = "tickets-db will not generate these changes:"
    hint = "write them by hand with `tickets-db new NAME --empty`, or revert the YAML edit."


class OnlineRefused(RefusedChanges):
    """Changes to an online table that rewrite it under an exclusive lock (no online form)."""

    header = "these changes rewrite an online table under an exclusive lock:"
    hint = ("expand and contract: add a new column of the new type, write to both (a trigger), backfill it in batches, switch the"
            " readers, then drop the old column; or allow the rewrite (`tickets-db new NAME --allow-rewrite`) in a maintenance window.")


class DataLossRefused(RefusedChanges):
    """The migration would delete data and the user did not say it may."""

    header = "this migration would delete data:"
    hint = "if that is what you want, run again with --allow-data-loss; to rename instead, add `renamed_from: old_name` in the YAML."


class UnprovenPlan(RefusedChanges):
    """The plan was run on a copy of the current state and did not reach the YAML: a statement
    failed, or something still differs. Nothing is written; it is a defect of tickets-db."""

    header = "tickets-db ran the migration it would write on a throwaway copy, and it does not reach the YAML:"
    hint = "nothing was written. Write this change by hand (`tickets-db new NAME --empty`), and please report it with the YAML edit that caused it."


class UnprovenRawSql(RefusedChanges):
    """A raw SQL file beside the YAML goes whole into the migration whenever it changes, and
    this version does not run on what the migrations already built."""

    header = "a hand-written SQL file beside the YAML does not run on what the migrations already build:"
    hint = "nothing was written. A raw SQL file is appended whole each time it changes: make it re-runnable (create or replace, if not exists), or put the change in a hand-written migration (`tickets-db new NAME --empty`)."


class DependencyCycle(RefusedChanges):
    """Objects the YAML asks for that each need another to exist first (a view that selects
    from a function whose SQL body reads the view, …): PostgreSQL cannot build them in any order."""

    header = "these objects depend on each other in a cycle, so no order can create them:"
    hint = "break the cycle in the YAML (a plpgsql body is not checked when created; a foreign key can be added by a later migration)."


class DatabaseError(TicketsDbError):
    """The database cannot be reached or refused an administrative step."""


class ConfigError(TicketsDbError):
    exit_code = 2


class ConfirmationRequired(TicketsDbError):
    exit_code = 2
