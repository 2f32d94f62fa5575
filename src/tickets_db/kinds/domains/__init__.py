"""Domains: created and dropped; a changed one is reported (its columns hold values checked
against the old definition)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from ...model import Domain
from ..common import Change, Drop, Needs, Op, type_grants, type_refs


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateDomain(Op):
    domain: Domain
    template: ClassVar[str] = "domains/create_domain.sql.j2"
    phase: ClassVar[int] = 3

    @property
    def key(self) -> str:
        return f"domain {self.domain.qualname}"

    def provides(self) -> set[str]:
        return {f"type:{self.domain.qualname}"}

    def requires(self, foreign: Needs) -> set[str]:
        return {f"schema:{self.domain.schema}"} | type_refs(self.domain.type)


def compare(d: Change) -> None:
    current = {x.qualname: x for x in d.current.domains}
    desired = {x.qualname: x for x in d.desired.domains}
    for x in d.authored.domains:
        cur = current.get(x.qualname)
        want = desired.get(x.qualname, x)
        if cur is None:
            d.add(x.origin, CreateDomain(domain=x), *type_grants("domain", x.qualname, None, None, x.grants, created=True))
        elif replace(cur, grants=None) != replace(want, grants=None):
            d.refuse(x.origin, f"domain {x.qualname} changed")
        else:
            d.add(x.origin, *type_grants("domain", x.qualname, cur.grants, want.grants, x.grants))
    authored = {x.qualname for x in d.authored.domains}
    for x in d.current.domains:
        if x.qualname not in authored:
            d.add(None, Drop(kind="domain", target=x.qualname))
