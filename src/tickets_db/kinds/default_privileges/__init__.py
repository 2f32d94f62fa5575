"""Default privileges (`alter default privileges`): what new objects of a role get, in a schema
or everywhere. Only the entries the YAML lists are its to set, exactly (the platform sets its
own, which the YAML may take over by listing them); none is ever dropped unasked."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ...model import DefaultPrivileges, Grant
from ..common import Change, Needs, Op, revoke_from


@dataclass(frozen=True, slots=True, kw_only=True)
class SetDefaultPrivileges(Op):
    privileges: DefaultPrivileges
    revoke_from: tuple[str, ...]
    template: ClassVar[str] = "default_privileges/set_default_privileges.sql.j2"
    phase: ClassVar[int] = 2  # before what the migration creates: its new objects get them

    @property
    def key(self) -> str:
        p = self.privileges
        return f"default privileges for {p.role}{' in ' + p.schema if p.schema else ''} on {p.on}"

    def requires(self, foreign: Needs) -> set[str]:
        return {f"schema:{self.privileges.schema}"} if self.privileges.schema else set()


def compare(d: Change) -> None:
    current = {p.identity: p for p in d.current.default_privileges}
    desired = {p.identity: p for p in d.desired.default_privileges}
    for p in d.authored.default_privileges:
        cur = current.get(p.identity)
        want = desired.get(p.identity, p)
        have = cur.grants if cur else _without_entry(p)
        if have != (want.grants if p.identity in desired else p.grants):
            d.add(p.origin, SetDefaultPrivileges(privileges=p, revoke_from=revoke_from(have)))


def _without_entry(p: DefaultPrivileges) -> tuple[Grant, ...]:
    """What a role's new objects get where pg_default_acl has no entry: in a schema, nothing
    more (an entry there only adds, and one that adds nothing is removed); everywhere,
    PostgreSQL's own defaults (PUBLIC executes functions and uses types)."""
    if p.schema is None and p.on == "functions":
        return (Grant("public", ("execute",)),)
    if p.schema is None and p.on == "types":
        return (Grant("public", ("usage",)),)
    return ()


def beyond(here: tuple[DefaultPrivileges, ...], wanted: tuple[DefaultPrivileges, ...]) -> list[SetDefaultPrivileges]:
    """What resets the entries `here` holds that `wanted` does not (the platform template's own,
    where a database read elsewhere had them removed): building a read state on a template must
    end with that state's entries only."""
    listed = {p.identity for p in wanted}
    return [SetDefaultPrivileges(privileges=DefaultPrivileges(p.role, p.schema, p.on, _without_entry(p)), revoke_from=revoke_from(p.grants))
            for p in here if p.identity not in listed]
