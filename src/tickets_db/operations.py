"""Operations: what a migration does, as data. Each says which template renders it, whether it
can run inside a transaction, its hazard, and where the YAML asked for it. No SQL text lives here."""
from __future__ import annotations

from dataclasses import dataclass, field

from .model import Column, Constraint, Domain, Enum, Extension, Function, Grant, Index, Policy, Rows, Schema, Table, Trigger, View


@dataclass(frozen=True, slots=True)
class Op:
    template = ""
    transactional = True
    hazard: str | None = None
    origin: str | None = field(default=None, compare=False)  # `file:line` in the YAML

    @property
    def key(self) -> str:
        """A stable identity used for ordering and messages."""
        raise NotImplementedError

    @property
    def loses_data(self) -> bool:
        """Only a drop deletes data; `new` refuses it without --allow-data-loss."""
        return False


def _called(kind: str, target: str, signature: tuple[str, ...]) -> str:
    """A function is named with its argument types (overloads share a name)."""
    return f"{target}({', '.join(signature)})" if kind == "function" else target


@dataclass(frozen=True, slots=True)
class CreateSchema(Op):
    schema: Schema = None  # type: ignore[assignment]
    template = "create_schema.sql.j2"

    @property
    def key(self) -> str:
        return f"schema {self.schema.name}"


@dataclass(frozen=True, slots=True)
class CreateExtension(Op):
    extension: Extension = None  # type: ignore[assignment]
    template = "create_extension.sql.j2"

    @property
    def key(self) -> str:
        return f"extension {self.extension.name}"


@dataclass(frozen=True, slots=True)
class CreateEnum(Op):
    enum: Enum = None  # type: ignore[assignment]
    template = "create_enum.sql.j2"

    @property
    def key(self) -> str:
        return f"enum {self.enum.qualname}"


@dataclass(frozen=True, slots=True)
class CreateDomain(Op):
    domain: Domain = None  # type: ignore[assignment]
    template = "create_domain.sql.j2"

    @property
    def key(self) -> str:
        return f"domain {self.domain.qualname}"


@dataclass(frozen=True, slots=True)
class AddEnumValue(Op):
    """Cannot share a transaction with statements that use the new value: runs committed, first."""

    enum: str = ""
    value: str = ""
    before: str | None = None
    after: str | None = None
    template = "add_enum_value.sql.j2"
    transactional = False

    @property
    def key(self) -> str:
        return f"enum value {self.enum}.{self.value}"


@dataclass(frozen=True, slots=True)
class CreateTable(Op):
    table: Table = None  # type: ignore[assignment]
    deferred: tuple[str, ...] = ()  # foreign keys added later (reference cycles)
    template = "create_table.sql.j2"

    @property
    def key(self) -> str:
        return f"table {self.table.qualname}"


@dataclass(frozen=True, slots=True)
class AddColumn(Op):
    table: str = ""
    column: Column = None  # type: ignore[assignment]
    constraints: tuple[Constraint, ...] = ()
    template = "add_column.sql.j2"

    @property
    def key(self) -> str:
        return f"column {self.table}.{self.column.name}"


@dataclass(frozen=True, slots=True)
class AddConstraint(Op):
    table: str = ""
    constraint: Constraint = None  # type: ignore[assignment]
    template = "add_constraint.sql.j2"

    @property
    def key(self) -> str:
        return f"constraint {self.table}.{self.constraint.name}"


@dataclass(frozen=True, slots=True)
class Comment(Op):
    target_kind: str = ""  # table | column | type | function | view | schema
    target: str = ""
    text: str | None = None
    signature: tuple[str, ...] = ()  # a function's input argument types
    template = "comment.sql.j2"

    @property
    def key(self) -> str:
        return f"comment {self.target_kind} {_called(self.target_kind, self.target, self.signature)}"


@dataclass(frozen=True, slots=True)
class SetGrants(Op):
    """Exact privileges: revoke from the platform's API roles and public, then grant what is listed."""

    target_kind: str = ""  # table | view | schema | function
    target: str = ""
    grants: tuple[Grant, ...] = ()
    revoke_from: tuple[str, ...] = ()
    signature: tuple[str, ...] = ()  # a function's input argument types
    template = "grants.sql.j2"

    @property
    def key(self) -> str:
        return f"grants {self.target_kind} {_called(self.target_kind, self.target, self.signature)}"


@dataclass(frozen=True, slots=True)
class CreateIndex(Op):
    table: str = ""
    index: Index = None  # type: ignore[assignment]
    template = "create_index.sql.j2"

    @property
    def key(self) -> str:
        return f"index {self.table}.{self.index.name}"


@dataclass(frozen=True, slots=True)
class EnableRls(Op):
    table: str = ""
    force: bool = False
    template = "enable_rls.sql.j2"

    @property
    def key(self) -> str:
        return f"rls {self.table}"


@dataclass(frozen=True, slots=True)
class CreatePolicy(Op):
    table: str = ""
    policy: Policy = None  # type: ignore[assignment]
    template = "create_policy.sql.j2"

    @property
    def key(self) -> str:
        return f"policy {self.table}.{self.policy.name}"


@dataclass(frozen=True, slots=True)
class CreateFunction(Op):
    function: Function = None  # type: ignore[assignment]
    template = "create_function.sql.j2"

    @property
    def key(self) -> str:
        return f"function {self.function.identity}"


@dataclass(frozen=True, slots=True)
class CreateTrigger(Op):
    table: str = ""
    trigger: Trigger = None  # type: ignore[assignment]
    replace: bool = False
    template = "create_trigger.sql.j2"

    @property
    def key(self) -> str:
        return f"trigger {self.table}.{self.trigger.name}"


@dataclass(frozen=True, slots=True)
class CreateView(Op):
    view: View = None  # type: ignore[assignment]
    template = "create_view.sql.j2"

    @property
    def key(self) -> str:
        return f"view {self.view.qualname}"


@dataclass(frozen=True, slots=True)
class InsertRows(Op):
    rows: Rows = None  # type: ignore[assignment]
    template = "insert_rows.sql.j2"

    @property
    def key(self) -> str:
        return f"rows {self.rows.table}"


# Kinds in the order drops must run: what depends on something goes before it.
DROP_ORDER = ("policy", "trigger", "view", "constraint", "index", "column", "table", "function", "domain", "type", "extension", "schema")


@dataclass(frozen=True, slots=True)
class Drop(Op):
    """Drop one object. `table` names the table of a column, constraint, index, policy or
    trigger; `refs` are the tables a dropped table references (they are dropped after it)."""

    kind: str = ""
    target: str = ""
    table: str = ""
    refs: tuple[str, ...] = ()
    data_loss: bool = False
    signature: tuple[str, ...] = ()  # a function's input argument types
    template = "drop.sql.j2"

    @property
    def key(self) -> str:
        return f"drop {self.kind} {self.table + '.' if self.table else ''}{_called(self.kind, self.target, self.signature)}"

    @property
    def loses_data(self) -> bool:
        return self.data_loss


@dataclass(frozen=True, slots=True)
class Rename(Op):
    """`renamed_from` in the YAML (tables, columns), or a constraint/index whose definition is
    unchanged but whose name follows its table's or column's new name."""

    kind: str = ""  # table | column | constraint | index
    table: str = ""  # the (new) table of a column or constraint; the old qualified name of a table
    old: str = ""
    new: str = ""
    template = "rename.sql.j2"

    @property
    def key(self) -> str:
        return f"rename {self.kind} {self.table}.{self.old} to {self.new}"


@dataclass(frozen=True, slots=True)
class AlterColumn(Op):
    table: str = ""
    column: str = ""
    type: str | None = None  # the new type, as the YAML writes it
    using: str | None = None
    convert: str | None = None  # no `using` given: "cast" (col::type) or "text" (col::text::type)
    default: str | None = None
    change_default: bool = False  # set `default` (None drops it)
    drop_default_first: bool = False  # an old default that may not convert to the new type
    not_null: bool | None = None  # True: set not null; False: drop not null
    drop_expression: bool = False  # a generated column made a plain one
    template = "alter_column.sql.j2"

    @property
    def key(self) -> str:
        return f"alter column {self.table}.{self.column}"


@dataclass(frozen=True, slots=True)
class DisableRls(Op):
    table: str = ""
    keep_enabled: bool = False  # only `no force`
    template = "disable_rls.sql.j2"

    @property
    def key(self) -> str:
        return f"rls off {self.table}"


@dataclass(frozen=True, slots=True)
class AlterPolicy(Op):
    """Same name, command and kind (permissive/restrictive): roles and expressions change in place."""

    table: str = ""
    policy: Policy = None  # type: ignore[assignment]
    template = "alter_policy.sql.j2"

    @property
    def key(self) -> str:
        return f"alter policy {self.table}.{self.policy.name}"


@dataclass(frozen=True, slots=True)
class UpdateRows(Op):
    rows: Rows = None  # type: ignore[assignment]
    template = "update_rows.sql.j2"

    @property
    def key(self) -> str:
        return f"update rows {self.rows.table}"


@dataclass(frozen=True, slots=True)
class AlterIdentity(Op):
    """An identity added, removed, or switched between `always` and `by default`, in place."""

    table: str = ""
    column: str = ""
    old: str | None = None
    new: str | None = None
    template = "alter_identity.sql.j2"

    @property
    def key(self) -> str:
        return f"identity {self.table}.{self.column}"


@dataclass(frozen=True, slots=True)
class SetSerial(Op):
    """An integer column made serial (its own sequence, started after the largest value) or a
    serial made a plain integer (default and sequence dropped): `type serial` is not SQL."""

    table: str = ""
    column: str = ""
    base_type: str = "integer"
    sequence: str = ""  # schema-qualified
    serial: bool = True
    template = "set_serial.sql.j2"

    @property
    def key(self) -> str:
        return f"serial {self.table}.{self.column}"
