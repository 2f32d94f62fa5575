"""What every kind shares: the operation base (its template, its place in the order, what it
provides and needs), the operations any kind's object can take (drop, rename, comment, grants),
and the comparison's working state. A kind's own package holds its query, its comparison, its
operations and their templates; see kinds/__init__.py."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import ClassVar

from ...model import Catalog, Grant
from ...platform import API_ROLES

REVOKE_FROM = ("public", *API_ROLES)


EVERYONE_USES = (Grant("public", ("usage",)),)  # a type's default privileges


def type_grants(kind: str, target: str, have: tuple[Grant, ...] | None, want: tuple[Grant, ...] | None, written: tuple[Grant, ...] | None,
                created: bool = False) -> list["SetGrants"]:
    """A type's (or domain's) privileges: left at PostgreSQL's default unless the YAML lists
    them, and then exactly those; back to the default when the YAML stops listing them."""
    if created:
        return [SetGrants(target_kind=kind, target=target, grants=written, revoke_from=REVOKE_FROM)] if written is not None else []
    if have == want:
        return []
    return [SetGrants(target_kind=kind, target=target, grants=written if written is not None else EVERYONE_USES, revoke_from=revoke_from(have if have is not None else EVERYONE_USES))]


def revoke_from(current: tuple[Grant, ...]) -> tuple[str, ...]:
    """Whom exact grants revoke from on an existing object: public, the API roles, and every
    other role that holds a privilege on it now (a role the YAML no longer lists)."""
    return (*REVOKE_FROM, *sorted({g.role for g in current} - set(REVOKE_FROM)))
Needs = Mapping[str, set[str]]  # a table → the tables its rows reference (rows follow them)


@dataclass(frozen=True, slots=True)
class Op:
    """One step of a migration. `template` is relative to kinds/ (`tables/create_table.sql.j2`);
    `phase` and `subrank` place it (drops first, then renames, then creates in the YAML's order,
    a table's parts as the course writes them); `provides` and `requires` name what it makes
    and what must exist first, for the dependency sort in diff/order.py."""

    template: ClassVar[str] = ""
    transactional: ClassVar[bool] = True
    phase: ClassVar[int] = 9
    subrank: ClassVar[int] = 5
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

    def provides(self) -> set[str]:
        return set()

    def requires(self, foreign: Needs) -> set[str]:
        return set()


def called(kind: str, target: str, signature: tuple[str, ...]) -> str:
    """A function is named with its argument types (overloads share a name)."""
    return f"{target}({', '.join(signature)})" if kind in ("function", "procedure") else target


_QUALIFIED = re.compile(r'"?([A-Za-z_][\w$]*)"?\s*\.\s*"?([A-Za-z_][\w$]*)"?')
_BARE = re.compile(r"\b([A-Za-z_][\w$]*)\b")
_STRINGS = re.compile(r"'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/", re.S)


def mentions(text: str | None) -> set[str]:
    """Schema-qualified and bare names a SQL text mentions (strings and comments skipped): what
    the model knows of an expression's dependencies before PostgreSQL has read it."""
    if not text:
        return set()
    text = _STRINGS.sub(" ", text)
    found = {f"{a}.{b}".lower() for a, b in _QUALIFIED.findall(text)}
    found |= {f"public.{w}".lower() for w in _BARE.findall(text)}
    return found


def calls(text: str | None) -> set[str]:
    """What an expression may need to exist first: functions and relations it names, and the
    column changes on those relations (a view is built on the columns' new types)."""
    names = mentions(text)
    return {f"fn:{n}" for n in names} | {f"rel:{n}" for n in names} | {f"altered:{n}" for n in names}


def type_refs(type_text: str) -> set[str]:
    base = type_text.strip().removesuffix("[]").strip().lower()
    name = base if "." in base else f"public.{base}"
    return {f"type:{name}"}


def target_needs(kind: str, target: str, column: str = "", on: str = "") -> set[str]:
    """What a comment or grant on an object needs: the object."""
    if on:  # a constraint, trigger or policy of the table `on`
        return {f"rel:{on}", f"{kind}:{on}.{target}"}
    if kind == "index":
        return {f"index:{target}"}
    if kind in ("function", "procedure"):
        return {f"fn:{target}"}
    if kind == "column":
        return {f"rel:{target}", f"col:{target}.{column}"}
    if kind in ("type", "domain"):
        return {f"type:{target}"}
    if kind in ("schema", "extension"):
        return {f"{kind}:{target}"}
    return {f"rel:{target}"}


@dataclass(frozen=True, slots=True)
class Comment(Op):
    target_kind: str = ""  # table | column | type | function | view | schema | index | constraint | trigger | policy
    target: str = ""  # a column's table; an index's qualified name; a constraint's, trigger's or policy's own name
    column: str = ""
    text: str | None = None
    signature: tuple[str, ...] = ()  # a function's input argument types
    on: str = ""  # the table of a constraint, trigger or policy
    template: ClassVar[str] = "common/comment.sql.j2"
    subrank: ClassVar[int] = 3

    @property
    def key(self) -> str:
        where = f"{self.on}." if self.on else ""
        return f"comment {self.target_kind} {where}{called(self.target_kind, self.target, self.signature)}{'.' + self.column if self.column else ''}"

    def requires(self, foreign: Needs) -> set[str]:
        return target_needs(self.target_kind, self.target, self.column, self.on)


@dataclass(frozen=True, slots=True)
class SetGrants(Op):
    """Exact privileges: revoke from the platform's API roles and public, then grant what is listed."""

    target_kind: str = ""  # table | view | schema | function | column
    target: str = ""  # a column's table
    column: str = ""
    grants: tuple[Grant, ...] = ()
    revoke_from: tuple[str, ...] = ()
    signature: tuple[str, ...] = ()  # a function's input argument types
    template: ClassVar[str] = "common/grants.sql.j2"
    subrank: ClassVar[int] = 4

    @property
    def key(self) -> str:
        return f"grants {self.target_kind} {called(self.target_kind, self.target, self.signature)}{'.' + self.column if self.column else ''}"

    def provides(self) -> set[str]:
        # a table's `revoke all` takes its columns' privileges too: those are granted after it
        return {f"grants:{self.target}"} if self.target_kind in ("table", "view") else set()

    def requires(self, foreign: Needs) -> set[str]:
        return target_needs(self.target_kind, self.target, self.column) | ({f"grants:{self.target}"} if self.target_kind == "column" else set())


# Kinds in the order drops run when nothing read from the database says more: what depends on
# something goes before it.
DROP_ORDER = ("event trigger", "publication", "policy", "trigger", "view", "materialized view", "constraint", "index", "column", "table", "sequence", "function", "procedure", "domain", "type", "collation", "extension", "schema")


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
    template: ClassVar[str] = "common/drop.sql.j2"
    phase: ClassVar[int] = -2

    @property
    def key(self) -> str:
        return f"drop {self.kind} {self.table + '.' if self.table else ''}{called(self.kind, self.target, self.signature)}"

    @property
    def object(self) -> str:
        """The dropped object as the dependency graph names it (see kinds/depends.sql)."""
        if self.kind in ("function", "procedure"):
            return f"{self.kind} {called(self.kind, self.target, self.signature)}"
        if self.table:
            return f"{self.kind} {self.table}.{self.target}"
        return f"{self.kind} {self.target}"

    @property
    def loses_data(self) -> bool:
        return self.data_loss

    def provides(self) -> set[str]:
        if self.kind == "table":
            return {f"dropping-refs:{r}" for r in self.refs if r != self.target} | {f"dropped:{self.target}"}
        if self.kind in ("column", "index", "constraint"):
            return {f"dropped-{self.kind}:{self.table}.{self.target}"}
        return set()

    def requires(self, foreign: Needs) -> set[str]:
        if self.kind == "table":
            return {f"dropping-refs:{self.target}"}
        if self.table:  # a part of a table that may have just been renamed
            return {f"renamed:{self.table}"}
        return set()


@dataclass(frozen=True, slots=True)
class Rename(Op):
    """`renamed_from` in the YAML (tables, columns), or a constraint/index whose definition is
    unchanged but whose name follows its table's or column's new name."""

    kind: str = ""  # table | column | constraint | index
    table: str = ""  # the (new) table of a column or constraint; the old qualified name of a table
    old: str = ""
    new: str = ""
    template: ClassVar[str] = "common/rename.sql.j2"
    phase: ClassVar[int] = -1

    @property
    def key(self) -> str:
        return f"rename {self.kind} {self.table}.{self.old} to {self.new}"

    def provides(self) -> set[str]:
        return {f"renamed:{self.table.split('.')[0]}.{self.new}"} if self.kind == "table" else set()

    def requires(self, foreign: Needs) -> set[str]:
        if self.kind == "table":  # into the name of a table that goes
            return {f"dropped:{self.table.split('.')[0]}.{self.new}"}
        return {f"renamed:{self.table}", f"dropped-{self.kind}:{self.table}.{self.new}"}


@dataclass
class Change:
    """The comparison under way: the three catalogs and what it has found so far."""

    current: Catalog
    desired: Catalog
    authored: Catalog
    function_keys: dict[str, str]
    ops: list[Op] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    # Policies, triggers and views to drop and create again because something under them
    # (a function's signature, a column's type, a view rebuilt) cannot change while they exist.
    rebuild: set[str] = field(default_factory=set)

    def add(self, origin: str | None, *ops: Op) -> None:
        self.ops.extend(replace(op, origin=origin) for op in ops)

    def refuse(self, origin: str | None, what: str) -> None:
        self.unsupported.append(f"{what}" + (f" ({origin})" if origin else ""))
