"""Functions: `create or replace` where PostgreSQL allows it, else dropped (with what depends
on them) and created again."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from ...model import Function
from ..common import REVOKE_FROM, Change, revoke_from, Comment, Drop, Needs, Op, SetGrants, calls, type_refs


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateFunction(Op):
    function: Function
    template: ClassVar[str] = "functions/create_function.sql.j2"
    subrank: ClassVar[int] = 0

    @property
    def key(self) -> str:
        return f"function {self.function.identity}"

    def provides(self) -> set[str]:
        return {f"fn:{self.function.qualname}"}

    def requires(self, foreign: Needs) -> set[str]:
        f = self.function
        req = {f"schema:{f.schema}"}
        for a in f.arguments:
            req |= type_refs(a.type)
        for _, typ in f.returns_table:
            req |= type_refs(typ)
        if f.returns:
            req |= type_refs(f.returns)
        if f.language == "sql":  # validated when created: what the body names must exist
            req |= {n for n in calls(f.body) if not n.startswith("altered:")}
        return req


def to_drop(d: Change) -> list[Function]:
    """Current functions that go: removed from the YAML, or changed in a way `create or replace`
    cannot do (result type, argument names or defaults)."""
    authored = {d.function_keys.get(f.identity, f.identity): f for f in d.authored.functions if not f.external}
    desired = {f.identity: f for f in d.desired.functions}
    out = []
    for f in d.current.functions:
        if f.external:
            continue
        if f.identity not in authored:
            out.append(f)
        elif not _replaceable(f, desired.get(f.identity, authored[f.identity])):
            out.append(f)
    return out


def _replaceable(cur: Function, new: Function) -> bool:
    return (cur.returns, cur.returns_table, cur.returns_set, cur.procedure) == (new.returns, new.returns_table, new.returns_set, new.procedure) and [
        (a.name, a.mode) for a in cur.arguments] == [(a.name, a.mode) for a in new.arguments] and all(
        a.default is not None or b.default is None for a, b in zip(new.arguments, cur.arguments))


def compare(d: Change) -> None:
    current = {f.identity: f for f in d.current.functions if not f.external}
    desired = {f.identity: f for f in d.desired.functions}
    going = sorted(to_drop(d), key=lambda f: f.identity)
    dropped = {f.identity for f in going}
    for f in going:
        d.add(None, Drop(kind=f.kind, target=f.qualname, signature=f.signature))
    for f in d.authored.functions:
        if f.external:
            continue
        key = d.function_keys.get(f.identity, f.identity)
        want = desired.get(key, f)
        if key not in current or key in dropped:
            d.add(f.origin, CreateFunction(function=f))
            d.add(f.origin, SetGrants(target_kind=f.kind, target=f.qualname, signature=f.signature, grants=f.grants, revoke_from=REVOKE_FROM))
            if f.comment:
                d.add(f.origin, Comment(target_kind=f.kind, target=f.qualname, signature=f.signature, text=f.comment))
            continue
        have = current[key]
        if replace(have, grants=(), comment=None) != replace(want, grants=(), comment=None):
            d.add(f.origin, CreateFunction(function=f))
        if have.grants != want.grants:
            d.add(f.origin, SetGrants(target_kind=f.kind, target=f.qualname, signature=f.signature, grants=f.grants, revoke_from=revoke_from(have.grants)))
        if have.comment != want.comment:
            d.add(f.origin, Comment(target_kind=f.kind, target=f.qualname, signature=f.signature, text=f.comment))
