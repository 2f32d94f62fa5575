"""Schemas and the extensions installed into them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ...model import Extension, Schema
from ...platform import platform_role
from ..common import REVOKE_FROM, Change, revoke_from, Comment, Drop, Needs, Op, SetGrants


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateSchema(Op):
    schema: Schema
    template: ClassVar[str] = "schemas/create_schema.sql.j2"
    phase: ClassVar[int] = 1

    @property
    def key(self) -> str:
        return f"schema {self.schema.name}"

    def provides(self) -> set[str]:
        return {f"schema:{self.schema.name}"}


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateExtension(Op):
    extension: Extension
    template: ClassVar[str] = "schemas/create_extension.sql.j2"
    phase: ClassVar[int] = 2

    @property
    def key(self) -> str:
        return f"extension {self.extension.name}"

    def provides(self) -> set[str]:
        return {f"extension:{self.extension.name}"}

    def requires(self, foreign: Needs) -> set[str]:
        return {f"schema:{self.extension.schema}"}


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateExtension(Op):
    extension: Extension
    template: ClassVar[str] = "schemas/update_extension.sql.j2"
    phase: ClassVar[int] = 2

    @property
    def key(self) -> str:
        return f"extension {self.extension.name} version"


def _platform_schema_grants(d: Change, s: Schema, have: Schema | None) -> None:
    """A schema the platform owns (public, storage) whose privileges the YAML lists: exact, but
    the platform's own roles (postgres, supabase_admin, pgbouncer…) keep what the platform gave
    them there unless the YAML names them."""
    named = {g.role for g in s.grants or ()}
    held = tuple(g for g in (have.grants or () if have else ()) if g.role in named or not platform_role(g.role))
    if have is None or held != s.grants:
        d.add(s.origin, SetGrants(target_kind="schema", target=s.name, grants=s.grants or (), revoke_from=(*REVOKE_FROM, *sorted({g.role for g in held} - set(REVOKE_FROM)))))


def compare(d: Change) -> None:
    current = {s.name: s for s in d.current.schemas}
    desired = {s.name: s for s in d.desired.schemas}
    for s in d.authored.schemas:
        if s.external:
            if s.grants is not None:  # (read from nothing, it is there all the same)
                _platform_schema_grants(d, s, current.get(s.name))
            continue
        if s.name not in current:
            d.add(s.origin, CreateSchema(schema=s))
            if s.grants is not None:  # exact: `public`, read elsewhere and built here, exists already
                d.add(s.origin, SetGrants(target_kind="schema", target=s.name, grants=s.grants, revoke_from=REVOKE_FROM))
            if s.comment:
                d.add(s.origin, Comment(target_kind="schema", target=s.name, text=s.comment))
        else:
            want, have = desired.get(s.name, s), current[s.name]
            if want.grants != have.grants:
                d.add(s.origin, SetGrants(target_kind="schema", target=s.name, grants=s.grants or (), revoke_from=revoke_from(have.grants or ())))
            if want.comment != have.comment:
                d.add(s.origin, Comment(target_kind="schema", target=s.name, text=s.comment))
    authored_schemas = {s.name for s in d.authored.schemas}
    for name in sorted(current.keys() - authored_schemas):
        d.add(None, Drop(kind="schema", target=name, hazard="drops the schema (it must be empty by then)"))
    current_ext = {e.name: e for e in d.current.extensions}
    for e in d.authored.extensions:
        if e.external:
            continue  # the platform's to install
        installed = current_ext.get(e.name)
        if installed is None:
            d.add(e.origin, CreateExtension(extension=e))
            if e.comment is not None:
                d.add(e.origin, Comment(target_kind="extension", target=e.name, text=e.comment))
        elif installed.schema != e.schema:
            d.refuse(e.origin, f"extension {e.name} moved to schema {e.schema}")
        else:
            if e.version and installed.version != e.version:
                d.add(e.origin, UpdateExtension(extension=e))
            if installed.comment != e.comment:
                d.add(e.origin, Comment(target_kind="extension", target=e.name, text=e.comment if e.comment is not None else installed.own_comment))
    authored = {e.name for e in d.authored.extensions}
    for e in d.current.extensions:
        # the platform's `extensions` schema holds what the platform installed too: only the
        # project's own schemas' extensions are the YAML's to drop
        if e.name not in authored and e.schema != "extensions":
            d.add(None, Drop(kind="extension", target=e.name))
