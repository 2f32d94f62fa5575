"""diff(current, desired) → operations. The only entry point.

`desired` is compared with `current` as PostgreSQL stores both (so spelling differences such as
varchar vs character varying never count as changes); `authored` is the same catalog as the YAML
wrote it, and is what new or changed objects are rendered from, so migrations read like
hand-written SQL. Renames happen only where the YAML says `renamed_from` (or, for constraints and
indexes, where the definition is unchanged and only the name followed); what cannot be done
safely (an enum value removed, a domain changed) is reported, never guessed."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ..loader.names import make_object_name
from ..model import SERIALS, Catalog, Column, Constraint, Enum, Function, Index, Rows, Table, View
from ..operations import (
    AddColumn,
    AddConstraint,
    AddEnumValue,
    AlterColumn,
    AlterIdentity,
    SetSerial,
    AlterPolicy,
    Comment,
    DisableRls,
    Drop,
    Rename,
    UpdateRows,
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
from .order import mentions, order

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
    # Policies, triggers and views to drop and create again because something under them
    # (a function's signature, a column's type) cannot change while they exist.
    rebuild: set[str] = field(default_factory=set)

    def add(self, origin: str | None, *ops: Op) -> None:
        self.ops.extend(replace(op, origin=origin) for op in ops)

    def refuse(self, origin: str | None, what: str) -> None:
        self.unsupported.append(f"{what}" + (f" ({origin})" if origin else ""))


def diff(current: Catalog, desired: Catalog, authored: Catalog | None = None, function_keys: dict[str, str] | None = None) -> Plan:
    d = _Diff(current, desired, authored or desired, function_keys or {})
    d.current = _renames(d)
    d.rebuild = _to_rebuild(d)
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
        else:
            want, have = desired.get(s.name, s), current[s.name]
            if want.grants != have.grants:
                d.add(s.origin, SetGrants(target_kind="schema", target=s.name, grants=s.grants, revoke_from=REVOKE_FROM))
            if want.comment != have.comment:
                d.add(s.origin, Comment(target_kind="schema", target=s.name, text=s.comment))
    authored_schemas = {s.name for s in d.authored.schemas}
    for name in sorted(current.keys() - authored_schemas):
        d.add(None, Drop(kind="schema", target=name, hazard="drops the schema (it must be empty by then)"))
    current_ext = {e.name: e for e in d.current.extensions}
    for e in d.authored.extensions:
        if e.name not in current_ext:
            d.add(e.origin, CreateExtension(extension=e))
        elif current_ext[e.name].schema != e.schema:
            d.refuse(e.origin, f"extension {e.name} moved to schema {e.schema}")
    authored = {e.name for e in d.authored.extensions}
    for e in d.current.extensions:
        if e.name not in authored:
            d.add(None, Drop(kind="extension", target=e.name))


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
            d.add(None, Drop(kind="type", target=e.qualname))


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
            d.add(None, Drop(kind="domain", target=x.qualname))


def _enum_values(d: _Diff, cur: Enum, new: Enum) -> None:
    missing = [v for v in cur.values if v not in new.values]
    if missing:
        d.refuse(new.origin, f"enum {new.qualname}: value(s) {', '.join(missing)} removed or renamed — PostgreSQL cannot drop an enum value. "
                 f"To rename: `alter type {new.qualname} rename value 'old' to 'new'`; to remove: create a new type, "
                 "convert the columns (`type new_type using col::text::new_type`), drop the old type. Write it with `tickets-db new --empty`, then update the YAML")
        return
    kept = [v for v in new.values if v in cur.values]
    if kept != list(cur.values):
        d.refuse(new.origin, f"enum {new.qualname}: values reordered — PostgreSQL cannot move an enum value; put them back in their order")
        return
    for i, v in enumerate(new.values):
        if v in cur.values:
            continue
        later = [x for x in new.values[i + 1 :] if x in cur.values]
        # Appending (the common case) needs no position, as the course writes it.
        d.add(new.origin, AddEnumValue(enum=new.qualname, value=v, before=later[0] if later else None))


def _renames(d: _Diff) -> Catalog:
    """Apply the YAML's `renamed_from` hints: emit the renames, and return `current` as it
    will look after them, so the rest of the diff compares like with like."""
    tables = list(d.current.tables)
    names = {t.qualname for t in tables}
    for t in d.authored.tables:
        old = t.renamed_from
        if old and old in names and t.qualname not in names:
            if old.split(".")[0] != t.schema:
                d.refuse(t.origin, f"table {old} renamed into another schema ({t.qualname}): move it by hand (`alter table … set schema`)")
                continue
            d.add(t.origin, Rename(kind="table", table=old, old=old.split(".")[1], new=t.name))
            tables = [replace(x, name=t.name) if x.qualname == old else x for x in tables]
            tables = [replace(x, constraints=tuple(replace(k, ref_table=t.qualname) if k.ref_table == old else k for k in x.constraints)) for x in tables]
            names = {x.qualname for x in tables}
    renamed = []
    for table in tables:
        want = d.authored.table(table.qualname)
        for c in want.columns if want else ():
            old = c.renamed_from
            if want and old and table.column(old) and not table.column(c.name):
                d.add(want.origin, Rename(kind="column", table=table.qualname, old=old, new=c.name))
                table = _rename_column(table, old, c.name)
        renamed.append(table)
    return replace(d.current, tables=tuple(renamed))


def _rename_column(t: Table, old: str, new: str) -> Table:
    """What PostgreSQL does to the catalog when a column is renamed."""
    def cols(names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(new if n == old else n for n in names)

    return replace(
        t,
        columns=tuple(replace(c, name=new) if c.name == old else c for c in t.columns),
        constraints=tuple(replace(k, columns=cols(k.columns)) for k in t.constraints),
        indexes=tuple(replace(i, columns=cols(i.columns)) for i in t.indexes),
    )


def _to_rebuild(d: _Diff) -> set[str]:
    """Dependants that must be dropped and created again: of functions that are dropped or
    change signature or result, and of columns whose type changes."""
    rebuild: set[str] = set()
    gone = {f.qualname for f in _functions_to_drop(d)}
    for t in d.current.tables:
        des = d.desired.table(t.qualname)
        retyped = {c.name for c in t.columns if des and des.column(c.name) and des.column(c.name).type != c.type}  # type: ignore[union-attr]
        for p in t.policies:
            names = mentions(p.using) | mentions(p.with_check)
            if names & gone or any(f"public.{c}" in names for c in retyped):
                rebuild.add(f"policy {t.qualname}.{p.name}")
        for tr in t.triggers:
            if tr.function in gone:
                rebuild.add(f"trigger {t.qualname}.{tr.name}")
        if retyped:
            for v in d.current.views:
                if t.qualname in mentions(v.query) or f"public.{t.name}" in mentions(v.query):
                    rebuild.add(f"view {v.qualname}")
    for v in d.current.views:
        if mentions(v.query) & gone:
            rebuild.add(f"view {v.qualname}")
    return rebuild


def _functions_to_drop(d: _Diff) -> list[Function]:
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
    return (cur.returns, cur.returns_table, cur.returns_set) == (new.returns, new.returns_table, new.returns_set) and [
        (a.name, a.mode) for a in cur.arguments] == [(a.name, a.mode) for a in new.arguments] and all(
        a.default is not None or b.default is None for a, b in zip(new.arguments, cur.arguments))


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
            refs = tuple(sorted({k.ref_table for k in t.constraints if k.kind == "foreign_key" and k.ref_table}))
            d.add(None, Drop(kind="table", target=t.qualname, refs=refs, data_loss=True, hazard="deletes the table and every row in it"))


def _create_table(d: _Diff, t: Table) -> None:
    o = t.origin
    d.add(o, CreateTable(table=t))
    if t.comment:
        d.add(o, Comment(target_kind="table", target=t.qualname, text=t.comment))
    for c in t.columns:
        if c.comment:
            d.add(o, Comment(target_kind="column", target=f"{t.qualname}.{c.name}", text=c.comment))
    d.add(o, SetGrants(target_kind="table", target=t.qualname, grants=t.grants, revoke_from=REVOKE_FROM))
    for c in t.columns:
        if c.grants:
            d.add(o, SetGrants(target_kind="column", target=f"{t.qualname}.{c.name}", grants=c.grants, revoke_from=REVOKE_FROM))
    for i in t.indexes:
        d.add(o, CreateIndex(table=t.qualname, index=i))
    if t.rls or t.force_rls:
        d.add(o, EnableRls(table=t.qualname, force=t.force_rls))
    _attachments(d, t, None, t)


def _unnamed(x: Constraint | Index) -> Constraint | Index:
    return replace(x, name="")


def _keyed(d: _Diff, qn: str, kind: str, authored: tuple, current: tuple, desired: tuple, create, origin: str | None, hazard: str | None = None) -> None:  # type: ignore[type-arg, no-untyped-def]
    """Constraints and indexes, matched by name: new ones created, dropped ones dropped, changed
    ones dropped and created; one whose definition is unchanged under a new name is renamed."""
    cur = {x.name: x for x in current}
    des = {x.name: x for x in desired}
    by_definition = {_unnamed(x): x.name for x in current if x.name not in des}
    for x in authored:
        where = getattr(x, "origin", None) or origin
        want = des.get(x.name, x)
        if x.name not in cur:
            old = by_definition.pop(_unnamed(want), None)
            if old is not None:
                d.add(where, Rename(kind=kind, table=qn, old=old, new=x.name))
            else:
                d.add(where, create(x))
        elif cur[x.name] != want:
            d.add(where, _drop_keyed(kind, qn, cur[x.name]), create(x))
    for name in sorted(by_definition.values()):
        d.add(origin, _drop_keyed(kind, qn, cur[name]))


def _drop_keyed(kind: str, qn: str, x: Constraint | Index) -> Drop:
    refs = (x.ref_table,) if isinstance(x, Constraint) and x.kind == "foreign_key" and x.ref_table else ()
    return Drop(kind=kind, target=x.name, table=qn, refs=refs)


def _attachments(d: _Diff, t: Table, cur: Table | None, des: Table) -> None:
    """Policies and triggers: the parts of a table that may hang off a platform table too."""
    qn = t.qualname
    have = {p.name: p for p in cur.policies} if cur else {}
    want = {p.name: p for p in des.policies}
    for p in t.policies:
        where = p.origin or t.origin
        old = have.get(p.name)
        new = want.get(p.name, p)
        if old is None:
            d.add(where, CreatePolicy(table=qn, policy=p))
        elif f"policy {qn}.{p.name}" in d.rebuild or (old.command, old.permissive) != (new.command, new.permissive):
            d.add(where, Drop(kind="policy", target=p.name, table=qn), CreatePolicy(table=qn, policy=p))
        elif old != new:
            d.add(where, AlterPolicy(table=qn, policy=p))
    for name in sorted(have.keys() - {p.name for p in t.policies}):
        d.add(t.origin, Drop(kind="policy", target=name, table=qn))
    have_t = {x.name: x for x in cur.triggers} if cur else {}
    want_t = {x.name: x for x in des.triggers}
    for x in t.triggers:
        where = x.origin or t.origin
        old_t = have_t.get(x.name)
        if old_t is None:
            d.add(where, CreateTrigger(table=qn, trigger=x))
        elif f"trigger {qn}.{x.name}" in d.rebuild:
            d.add(where, Drop(kind="trigger", target=x.name, table=qn), CreateTrigger(table=qn, trigger=x))
        elif old_t != want_t.get(x.name, x):
            d.add(where, CreateTrigger(table=qn, trigger=x, replace=True))
    for name in sorted(have_t.keys() - {x.name for x in t.triggers}):
        d.add(t.origin, Drop(kind="trigger", target=name, table=qn))


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
            if c.grants:
                d.add(o, SetGrants(target_kind="column", target=f"{qn}.{c.name}", grants=c.grants, revoke_from=REVOKE_FROM))
        else:
            _alter_column(d, qn, c, cur_cols[c.name], des_cols.get(c.name, c), o)
    for name in sorted(cur_cols.keys() - des_cols.keys()):
        d.add(o, Drop(kind="column", target=name, table=qn, data_loss=True, hazard=f"deletes column {name} and its values"))
    fresh = tuple(k for k in t.constraints if not (k.inline and set(k.columns) <= new_columns))
    des_fresh = tuple(k for k in des.constraints if not (k.inline and set(k.columns) <= new_columns) or k.name not in {x.name for x in fresh})
    _keyed(d, qn, "constraint", fresh, cur.constraints, des_fresh,
           lambda k: AddConstraint(table=qn, constraint=k, hazard="checks every existing row while holding a lock on the table"), o)
    _keyed(d, qn, "index", t.indexes, cur.indexes, des.indexes,
           lambda i: CreateIndex(table=qn, index=i, hazard="blocks writes to the table while it builds; for a big table write `create index concurrently` by hand"), o)
    if cur.grants != des.grants:
        d.add(o, SetGrants(target_kind="table", target=qn, grants=t.grants, revoke_from=REVOKE_FROM))
    if (cur.rls, cur.force_rls) != (des.rls, des.force_rls):
        if des.rls and (not cur.rls or (des.force_rls and not cur.force_rls)):
            d.add(o, EnableRls(table=qn, force=des.force_rls))
        if cur.force_rls and not des.force_rls and des.rls:
            d.add(o, DisableRls(table=qn, keep_enabled=True))
        if cur.rls and not des.rls:
            d.add(o, DisableRls(table=qn, hazard="every role with a grant sees and changes every row"))
    if cur.comment != des.comment:
        d.add(o, Comment(target_kind="table", target=qn, text=t.comment))
    _attachments(d, t, cur, des)


def _alter_column(d: _Diff, qn: str, authored: Column, cur: Column, des: Column, origin: str | None) -> None:
    if cur.generated != des.generated:
        if des.generated is None:
            d.add(origin, AlterColumn(table=qn, column=authored.name, drop_expression=True))
        else:
            d.refuse(origin, f"column {qn}.{authored.name}: a generated expression cannot be added or changed in place — drop and add the column instead (rename the old one with renamed_from to keep its data)")
            return
    if cur.identity != des.identity:
        d.add(origin, AlterIdentity(table=qn, column=authored.name, old=cur.identity, new=des.identity))
    base_cur, base_des = SERIALS.get(cur.type, cur.type), SERIALS.get(des.type, des.type)
    retype = base_des != base_cur
    redefault = des.default != cur.default
    renull = (des.not_null or des.serial) != (cur.not_null or cur.serial)
    if cur.serial and not des.serial:
        d.add(origin, SetSerial(table=qn, column=authored.name, base_type=base_cur, sequence=_serial_sequence(qn, cur.name), serial=False))
    if retype or redefault or renull:
        hazards = []
        if retype and not _widens(cur.type, des.type):
            hazards.append("rewrites the table under an exclusive lock; fails if a value does not convert")
        if renull and des.not_null:
            hazards.append("fails if a row holds null; scans the table under an exclusive lock")
        d.add(origin, AlterColumn(
            table=qn, column=authored.name,
            type=SERIALS.get(authored.type.strip().lower(), authored.type) if retype else None,
            using=authored.using if retype else None,
            convert=_conversion(cur.type, des.type) if retype and not authored.using else None,
            default=authored.default, change_default=redefault or (retype and cur.default is not None),
            drop_default_first=retype and cur.default is not None,
            not_null=(des.not_null or des.serial) if renull else None,
            hazard="; ".join(hazards) or None,
        ))
    if des.serial and not cur.serial:
        d.add(origin, SetSerial(table=qn, column=authored.name, base_type=base_des, sequence=_serial_sequence(qn, cur.name)))
    if des.comment != cur.comment:
        d.add(origin, Comment(target_kind="column", target=f"{qn}.{authored.name}", text=authored.comment))
    if des.grants != cur.grants:
        d.add(origin, SetGrants(target_kind="column", target=f"{qn}.{authored.name}", grants=authored.grants, revoke_from=REVOKE_FROM))


def _serial_sequence(table: str, column: str) -> str:
    schema, name = table.split(".", 1)
    return f"{schema}.{make_object_name(name, column, 'seq')}"


# A type change needs `using` where PostgreSQL has no assignment cast: from text to anything
# but text, between enums (through text), from numbers to booleans… Converting to a string type
# or between numbers needs none, so none is written there.
STRING_TYPES = ("text", "character varying", "character", "name", "citext")
NUMERIC_TYPES = frozenset({"smallint", "integer", "bigint", "numeric", "real", "double precision"})


def _conversion(old: str, new: str) -> str | None:
    """How the template converts a column PostgreSQL will not cast by assignment: `cast`
    (`col::new`), `text` (through text, enum to enum), or None."""
    def base(t: str) -> str:
        return t.split("(", 1)[0].strip()

    if old == new or _widens(old, new) or base(new) in STRING_TYPES or (base(old) in NUMERIC_TYPES and base(new) in NUMERIC_TYPES):
        return None
    return "text" if "." in old and "." in new else "cast"


def _widens(old: str, new: str) -> bool:
    """A varchar made longer, or turned into text: PostgreSQL changes the catalog only."""
    m_old = re.fullmatch(r"character varying(?:\((\d+)\))?", old)
    if not m_old:
        return False
    if new == "text":
        return True
    m_new = re.fullmatch(r"character varying(?:\((\d+)\))?", new)
    if not m_new:
        return False
    return m_new.group(1) is None or (m_old.group(1) is not None and int(m_new.group(1)) >= int(m_old.group(1)))


def _functions(d: _Diff) -> None:
    current = {f.identity: f for f in d.current.functions if not f.external}
    desired = {f.identity: f for f in d.desired.functions}
    going = sorted(_functions_to_drop(d), key=lambda f: f.identity)
    dropped = {f.identity for f in going}
    for f in going:
        d.add(None, Drop(kind="function", target=f.qualname, signature=f.signature))
    for f in d.authored.functions:
        if f.external:
            continue
        key = d.function_keys.get(f.identity, f.identity)
        want = desired.get(key, f)
        if key not in current or key in dropped:
            d.add(f.origin, CreateFunction(function=f))
            d.add(f.origin, SetGrants(target_kind="function", target=f.qualname, signature=f.signature, grants=f.grants, revoke_from=REVOKE_FROM))
            if f.comment:
                d.add(f.origin, Comment(target_kind="function", target=f.qualname, signature=f.signature, text=f.comment))
            continue
        have = current[key]
        if replace(have, grants=(), comment=None) != replace(want, grants=(), comment=None):
            d.add(f.origin, CreateFunction(function=f))
        if have.grants != want.grants:
            d.add(f.origin, SetGrants(target_kind="function", target=f.qualname, signature=f.signature, grants=f.grants, revoke_from=REVOKE_FROM))
        if have.comment != want.comment:
            d.add(f.origin, Comment(target_kind="function", target=f.qualname, signature=f.signature, text=f.comment))


def _views(d: _Diff) -> None:
    current = {v.qualname: v for v in d.current.views}
    desired = {v.qualname: v for v in d.desired.views}
    for v in d.authored.views:
        have = current.get(v.qualname)
        want = desired.get(v.qualname, v)
        if have is None or f"view {v.qualname}" in d.rebuild or (have != want and not _replaceable_view(have, want)):
            if have is not None:
                d.add(v.origin, Drop(kind="view", target=v.qualname))
            d.add(v.origin, CreateView(view=v))
            d.add(v.origin, SetGrants(target_kind="view", target=v.qualname, grants=v.grants, revoke_from=REVOKE_FROM))
            if v.comment:
                d.add(v.origin, Comment(target_kind="view", target=v.qualname, text=v.comment))
            continue
        if (have.query, have.security_invoker) != (want.query, want.security_invoker):
            d.add(v.origin, CreateView(view=v))
        if have.grants != want.grants:
            d.add(v.origin, SetGrants(target_kind="view", target=v.qualname, grants=v.grants, revoke_from=REVOKE_FROM))
        if have.comment != want.comment:
            d.add(v.origin, Comment(target_kind="view", target=v.qualname, text=v.comment))
    for name in sorted(current.keys() - {v.qualname for v in d.authored.views}):
        d.add(None, Drop(kind="view", target=name))


def _replaceable_view(have: View, want: View) -> bool:
    """`create or replace view` keeps existing columns (same names, types, order) and may add more."""
    old = [(c.name, c.type) for c in have.columns]
    new = [(c.name, c.type) for c in want.columns]
    return bool(old) and new[: len(old)] == old


def _rows(d: _Diff) -> None:
    current = {r.table: r.keyed() for r in d.current.rows}
    desired = {r.table: r.keyed() for r in d.desired.rows}
    for r in d.authored.rows:
        have = current.get(r.table, {})
        want = desired.get(r.table, r.keyed())
        new = tuple(row for k, row in r.keyed().items() if k not in have)
        changed = tuple(row for k, row in r.keyed().items() if k in have and want.get(k) != have[k])
        if new:
            d.add(r.origin, InsertRows(rows=Rows(r.table, r.key, r.columns, new, origin=r.origin)))
        if changed:
            d.add(r.origin, UpdateRows(rows=Rows(r.table, r.key, r.columns, changed, origin=r.origin)))
