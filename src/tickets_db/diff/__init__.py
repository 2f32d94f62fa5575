"""diff(current, desired) → operations. The only entry point.

`desired` is compared with `current` as PostgreSQL stores both (so spelling differences such as
varchar vs character varying never count as changes); `authored` is the same catalog as the YAML
wrote it, and is what new objects are rendered from, so migrations read like hand-written SQL.
This stage generates additions; anything else is reported as unsupported, never guessed."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..model import Catalog, Enum, Rows, Table
from ..operations import (
    AddColumn,
    AddConstraint,
    AddEnumValue,
    Comment,
    CreateDomain,
    CreateEnum,
    CreateExtension,
    CreateFunction,
    CreateIndex,
    CreatePolicy,
    CreateSchema,
    CreateTable,
    CreateTrigger,
    CreateView,
    EnableRls,
    InsertRows,
    Op,
    SetGrants,
)
from ..platform import API_ROLES
from .order import order

REVOKE_FROM = ("public", *API_ROLES)


@dataclass(frozen=True)
class Plan:
    ops: tuple[Op, ...]
    unsupported: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.ops and not self.unsupported


@dataclass
class _Diff:
    current: Catalog
    desired: Catalog
    authored: Catalog
    function_keys: dict[str, str]
    ops: list[Op] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)

    def add(self, origin: str | None, *ops: Op) -> None:
        self.ops.extend(replace(op, origin=origin) for op in ops)

    def refuse(self, origin: str | None, what: str) -> None:
        self.unsupported.append(f"{what}" + (f" ({origin})" if origin else ""))


def diff(current: Catalog, desired: Catalog, authored: Catalog | None = None, function_keys: dict[str, str] | None = None) -> Plan:
    d = _Diff(current, desired, authored or desired, function_keys or {})
    _schemas(d)
    _enums(d)
    _domains(d)
    _tables(d)
    _functions(d)
    _views(d)
    _rows(d)
    return Plan(tuple(order(d.ops)), tuple(d.unsupported))


def _schemas(d: _Diff) -> None:
    current = {s.name: s for s in d.current.schemas}
    desired = {s.name: s for s in d.desired.schemas}
    for s in d.authored.schemas:
        if s.external:
            continue
        if s.name not in current:
            d.add(s.origin, CreateSchema(schema=s))
            if s.grants:
                d.add(s.origin, SetGrants(target_kind="schema", target=s.name, grants=s.grants, revoke_from=()))
            if s.comment:
                d.add(s.origin, Comment(target_kind="schema", target=s.name, text=s.comment))
        elif desired.get(s.name, s) != current[s.name]:
            d.refuse(s.origin, f"schema {s.name}: grants or comment changed")
    current_ext = {e.name: e for e in d.current.extensions}
    for e in d.authored.extensions:
        if e.name not in current_ext:
            d.add(e.origin, CreateExtension(extension=e))
        elif current_ext[e.name].schema != e.schema:
            d.refuse(e.origin, f"extension {e.name} moved to schema {e.schema}")
    authored = {e.name for e in d.authored.extensions}
    for e in d.current.extensions:
        if e.name not in authored:
            d.refuse(None, f"extension {e.name} removed")


def _enums(d: _Diff) -> None:
    current = {e.qualname: e for e in d.current.enums}
    for e in d.authored.enums:
        if e.external:
            continue
        cur = current.get(e.qualname)
        if cur is None:
            d.add(e.origin, CreateEnum(enum=e))
            continue
        if cur.comment != (d.desired.enum(e.qualname) or e).comment:
            d.add(e.origin, Comment(target_kind="type", target=e.qualname, text=e.comment))
        _enum_values(d, cur, e)
    authored = {e.qualname for e in d.authored.enums}
    for e in d.current.enums:
        if e.qualname not in authored and not e.external:
            d.refuse(None, f"enum {e.qualname} removed")


def _domains(d: _Diff) -> None:
    current = {x.qualname: x for x in d.current.domains}
    desired = {x.qualname: x for x in d.desired.domains}
    for x in d.authored.domains:
        cur = current.get(x.qualname)
        if cur is None:
            d.add(x.origin, CreateDomain(domain=x))
        elif cur != desired.get(x.qualname, x):
            d.refuse(x.origin, f"domain {x.qualname} changed")
    authored = {x.qualname for x in d.authored.domains}
    for x in d.current.domains:
        if x.qualname not in authored:
            d.refuse(None, f"domain {x.qualname} removed")


def _enum_values(d: _Diff, cur: Enum, new: Enum) -> None:
    missing = [v for v in cur.values if v not in new.values]
    if missing:
        d.refuse(new.origin, f"enum {new.qualname}: value(s) {', '.join(missing)} removed or renamed")
        return
    kept = [v for v in new.values if v in cur.values]
    if kept != list(cur.values):
        d.refuse(new.origin, f"enum {new.qualname}: values reordered")
        return
    for i, v in enumerate(new.values):
        if v in cur.values:
            continue
        later = [x for x in new.values[i + 1 :] if x in cur.values]
        # Appending (the common case) needs no position, as the course writes it.
        d.add(new.origin, AddEnumValue(enum=new.qualname, value=v, before=later[0] if later else None))


def _tables(d: _Diff) -> None:
    authored_names = set()
    for t in d.authored.tables:
        authored_names.add(t.qualname)
        cur = d.current.table(t.qualname)
        des = d.desired.table(t.qualname) or t
        if t.external:
            _attachments(d, t, cur, des)
        elif cur is None:
            _create_table(d, t)
        else:
            _alter_table(d, t, cur, des)
    for t in d.current.tables:
        if t.qualname not in authored_names and not t.external:
            d.refuse(None, f"table {t.qualname} dropped (or renamed)")


def _create_table(d: _Diff, t: Table) -> None:
    o = t.origin
    d.add(o, CreateTable(table=t))
    if t.comment:
        d.add(o, Comment(target_kind="table", target=t.qualname, text=t.comment))
    for c in t.columns:
        if c.comment:
            d.add(o, Comment(target_kind="column", target=f"{t.qualname}.{c.name}", text=c.comment))
    d.add(o, SetGrants(target_kind="table", target=t.qualname, grants=t.grants, revoke_from=REVOKE_FROM))
    for i in t.indexes:
        d.add(o, CreateIndex(table=t.qualname, index=i))
    if t.rls or t.force_rls:
        d.add(o, EnableRls(table=t.qualname, force=t.force_rls))
    _attachments(d, t, None, t)


def _named(d: _Diff, qn: str, what: str, authored: tuple, current: tuple, desired: tuple, create, origin: str | None) -> None:  # type: ignore[type-arg, no-untyped-def]
    """Sub-objects matched by name: new ones are created, changed or dropped ones reported."""
    cur = {x.name: x for x in current}
    des = {x.name: x for x in desired}
    for x in authored:
        where = getattr(x, "origin", None) or origin
        if x.name not in cur:
            d.add(where, create(x))
        elif cur[x.name] != des.get(x.name, x):
            d.refuse(where, f"{what} {x.name} on {qn} changed")
    for name in sorted(cur.keys() - {x.name for x in authored}):
        d.refuse(origin, f"{what} {name} on {qn} dropped")


def _attachments(d: _Diff, t: Table, cur: Table | None, des: Table) -> None:
    """Policies and triggers: the parts of a table that may hang off a platform table too."""
    qn = t.qualname
    _named(d, qn, "policy", t.policies, cur.policies if cur else (), des.policies, lambda p: CreatePolicy(table=qn, policy=p), t.origin)
    _named(d, qn, "trigger", t.triggers, cur.triggers if cur else (), des.triggers, lambda x: CreateTrigger(table=qn, trigger=x), t.origin)


def _alter_table(d: _Diff, t: Table, cur: Table, des: Table) -> None:
    o = t.origin
    qn = t.qualname
    cur_cols = {c.name: c for c in cur.columns}
    des_cols = {c.name: c for c in des.columns}
    new_columns = set()
    for c in t.columns:
        if c.name not in cur_cols:
            inline = tuple(k for k in t.constraints if k.inline and k.columns == (c.name,))
            hazard = "fails if the table has rows: a NOT NULL column needs a default" if c.not_null and c.default is None and not c.identity else None
            d.add(o, AddColumn(table=qn, column=c, constraints=inline, hazard=hazard))
            new_columns.add(c.name)
            if c.comment:
                d.add(o, Comment(target_kind="column", target=f"{qn}.{c.name}", text=c.comment))
        elif cur_cols[c.name] != des_cols.get(c.name, c):
            d.refuse(o, f"column {qn}.{c.name} changed (type, default, nullability or comment)")
    for name in sorted(cur_cols.keys() - des_cols.keys()):
        d.refuse(o, f"column {qn}.{name} dropped (or renamed)")
    fresh = tuple(k for k in t.constraints if not (k.inline and set(k.columns) <= new_columns))
    _named(d, qn, "constraint", fresh, cur.constraints, des.constraints,
           lambda k: AddConstraint(table=qn, constraint=k, hazard="checks every existing row while holding a lock on the table"), o)
    _named(d, qn, "index", t.indexes, cur.indexes, des.indexes,
           lambda i: CreateIndex(table=qn, index=i, hazard="blocks writes to the table while it builds; for a big table write `create index concurrently` by hand"), o)
    if cur.grants != des.grants:
        d.add(o, SetGrants(target_kind="table", target=qn, grants=t.grants, revoke_from=REVOKE_FROM))
    if (cur.rls, cur.force_rls) != (des.rls, des.force_rls):
        if (des.rls or not cur.rls) and (des.force_rls or not cur.force_rls):
            d.add(o, EnableRls(table=qn, force=des.force_rls))
        else:
            d.refuse(o, f"row level security turned off on {qn}")
    if cur.comment != des.comment:
        d.add(o, Comment(target_kind="table", target=qn, text=t.comment))
    _attachments(d, t, cur, des)


def _functions(d: _Diff) -> None:
    current = {f.identity: f for f in d.current.functions if not f.external}
    desired = {f.identity: f for f in d.desired.functions}
    seen = set()
    for f in d.authored.functions:
        if f.external:
            continue
        key = d.function_keys.get(f.identity, f.identity)
        seen.add(key)
        if key not in current:
            d.add(f.origin, CreateFunction(function=f))
            d.add(f.origin, SetGrants(target_kind="function", target=f.identity, grants=f.grants, revoke_from=REVOKE_FROM))
            if f.comment:
                d.add(f.origin, Comment(target_kind="function", target=f.identity, text=f.comment))
        elif current[key] != desired.get(key, f):
            d.refuse(f.origin, f"function {f.identity} changed")
    for key in current.keys() - seen:
        d.refuse(None, f"function {key} dropped (or its arguments changed)")


def _views(d: _Diff) -> None:
    current = {v.qualname: v for v in d.current.views}
    desired = {v.qualname: v for v in d.desired.views}
    for v in d.authored.views:
        if v.qualname not in current:
            d.add(v.origin, CreateView(view=v))
            d.add(v.origin, SetGrants(target_kind="view", target=v.qualname, grants=v.grants, revoke_from=REVOKE_FROM))
            if v.comment:
                d.add(v.origin, Comment(target_kind="view", target=v.qualname, text=v.comment))
        elif current[v.qualname] != desired.get(v.qualname, v):
            d.refuse(v.origin, f"view {v.qualname} changed")
    for name in current.keys() - {v.qualname for v in d.authored.views}:
        d.refuse(None, f"view {name} dropped")


def _rows(d: _Diff) -> None:
    current = {r.table: r.keyed() for r in d.current.rows}
    desired = {r.table: r.keyed() for r in d.desired.rows}
    for r in d.authored.rows:
        have = current.get(r.table, {})
        want = desired.get(r.table, r.keyed())
        new = tuple(row for k, row in r.keyed().items() if k not in have)
        for k in want.keys() & have.keys():
            if want[k] != have[k]:
                d.refuse(r.origin, f"row {k} of {r.table} changed")
        if new:
            d.add(r.origin, InsertRows(rows=Rows(r.table, r.key, r.columns, new, origin=r.origin)))
