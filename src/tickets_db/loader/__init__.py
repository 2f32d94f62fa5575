"""YAML files under schema/ → one validated Catalog. Files are read in path order; an object may
be declared once, and other files may extend it (enum values, policies, triggers, rows)."""
from __future__ import annotations

import difflib

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import SchemaError
from ..model import (
    IDENTITY_OPTIONS,
    PRIVILEGES,
    SERIALS,
    identity_choices,
    Argument,
    Catalog,
    Collation,
    Column,
    Composite,
    Constraint,
    DEFAULT_PRIVILEGES,
    DefaultPrivileges,
    Domain,
    Enum,
    EventTrigger,
    Extension,
    Function,
    Grant,
    Index,
    Policy,
    Publication,
    PublishedTable,
    Range,
    Rows,
    Schema,
    Sequence,
    Table,
    Trigger,
    TriggerEvent,
    View,
    default_multirange,
    privilege_order,
    sequence_choices,
    SEQUENCE_PRIVILEGES,
    qualify,
    split,
)
from .names import default_constraint_name
from .spec import FILE, Where
from .validate import validate_catalog
from .yaml_source import YList, YMap, read_yaml

__all__ = ["body_source", "body_text", "load", "load_files"]


def load(schema_dir: Path, root: Path | None = None) -> Catalog:
    """Load every *.yaml under schema_dir (sorted by path)."""
    if not schema_dir.is_dir():
        raise SchemaError(str(schema_dir), None, None, "schema folder not found", "create it, or set `schema` in tickets-db.toml")
    files = sorted([*schema_dir.rglob("*.yaml"), *schema_dir.rglob("*.yml")])
    return load_files(files, root or schema_dir.parent)


def load_files(files: list[Path], root: Path) -> Catalog:
    builder = _Builder()
    for path in files:
        try:
            display = str(path.relative_to(root))
        except ValueError:
            display = str(path)
        doc = read_yaml(path, display)
        FILE.check(doc, Where(display, getattr(doc, "line", 1), ""))
        builder.add_file(doc)
    catalog = builder.build()
    validate_catalog(catalog)
    return catalog


def _origin(m: YMap, key: str) -> str:
    return f"{m.file}:{m.lines.get(key, m.line)}"


def _grants(spec: YMap | None, kind: str) -> tuple[Grant, ...]:
    if not spec:
        return ()
    all_privs = {"table": PRIVILEGES, "schema": ("usage", "create"), "view": PRIVILEGES, "column": ("select", "insert", "update", "references"), "sequence": SEQUENCE_PRIVILEGES,
                 "type": ("usage",), **{f"new {on}": privs for on, privs in DEFAULT_PRIVILEGES.items()}}[kind]
    out = []
    for role, privs in spec.items():
        items = privs if isinstance(privs, list) else [privs]
        names: set[str] = set()
        grantable: set[str] = set()
        for p in items:
            p = " ".join(p.lower().split())
            if p.endswith(" with grant option"):
                p = p.removesuffix(" with grant option")
                grantable.update(all_privs if p == "all" else [p])
            if p == "all":
                names.update(all_privs)
            elif p not in all_privs:
                raise SchemaError(spec.file, spec.lines[role], f"grants.{role}", f"`{p}` is not a privilege on a {kind}", f"use one of: {', '.join(all_privs)}, all")
            else:
                names.add(p)
        out.append(Grant(role, privilege_order(names), privilege_order(grantable)))
    return tuple(sorted(out, key=lambda g: g.role))


def _type_grants(spec: YMap) -> tuple[Grant, ...] | None:
    """None (PostgreSQL's default: everyone may use the type) unless `grants` is given."""
    return _grants(spec["grants"], "type") if "grants" in spec else None


def _sequence_grants(c: YMap, column: str) -> tuple[Grant, ...] | None:
    if "sequence_grants" not in c:
        return None
    if not (c.get("identity") or c["type"].strip().lower() in SERIALS):
        raise SchemaError(c.file, c.lines.get("sequence_grants"), f"{column}.sequence_grants", "only a serial or identity column has a sequence of its own",
                          "make the column `serial` or `identity: by default`, or grant on a sequence under `sequences:`")
    return _grants(c["sequence_grants"], "sequence")


def _identity_options(c: YMap, column: str) -> tuple[tuple[str, str], ...]:
    options = c.get("identity_options")
    if not options:
        return ()
    if not c.get("identity"):
        raise SchemaError(c.file, c.lines.get("identity_options"), f"{column}.identity_options", "identity_options need `identity: always` or `identity: by default`")
    return identity_choices({k: str(options[k]).lower() for k in IDENTITY_OPTIONS if k in options})


def _partitioning(spec: YMap, key: str) -> dict[str, Any]:
    """partition_by / partition_of with for_values or default / inherits, checked to go together."""
    parent = spec.get("partition_of")
    bound = "default" if spec.get("default") else spec.get("for_values")
    if parent and bound is None:
        raise SchemaError(spec.file, spec.lines["partition_of"], f"tables.{key}.partition_of", "a partition needs `for_values` (or `default: true`)", "e.g. for_values: from ('2024-01-01') to ('2025-01-01')")
    if not parent and ("for_values" in spec or "default" in spec):
        which = "for_values" if "for_values" in spec else "default"
        raise SchemaError(spec.file, spec.lines[which], f"tables.{key}.{which}", f"`{which}` belongs to a partition", "add `partition_of: schema.table`")
    if spec.get("default") and "for_values" in spec:
        raise SchemaError(spec.file, spec.lines["for_values"], f"tables.{key}.for_values", "the default partition has no `for_values`", "give one of the two")
    if parent and spec.get("columns"):
        raise SchemaError(spec.file, spec.lines["columns"], f"tables.{key}.columns", "a partition's columns are its table's", "declare them on the partitioned table")
    given = spec.get("inherits")
    inherits: list[str] = [] if not given else given if isinstance(given, list) else [given]
    if parent and inherits:
        raise SchemaError(spec.file, spec.lines["inherits"], f"tables.{key}.inherits", "a partition cannot also inherit")
    return {"partition_by": spec.get("partition_by"), "partition_of": qualify(parent) if parent else None, "partition_bound": bound,
            "inherits": tuple(qualify(p) for p in inherits)}


def _indexes(spec: YMap) -> tuple[Index, ...]:
    return tuple(
        Index(iname, tuple(i["columns"]), bool(i.get("unique")), i.get("method", "btree"), i.get("where"), i.get("comment"))
        for iname, i in (spec.get("indexes") or {}).items()
    )


def _replica_identity(spec: YMap) -> str:
    value = " ".join(str(spec.get("replica_identity") or "default").split())
    if value.lower() in ("default", "full", "nothing"):
        return value.lower()
    if value.lower().startswith("index ") and value[6:].strip():
        return "index " + value[6:].strip()
    raise SchemaError(spec.file, spec.lines.get("replica_identity"), "replica_identity", f"`{value}` is not a replica identity", "write default, full, nothing or `index NAME` (a unique index of the table)")


def _roles(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    return tuple(items)


_REF = re.compile(r"^\s*([^()]+?)\s*(?:\(([^)]*)\))?\s*$")  # table names are raw, as YAML keys write them


def _reference(text: str, m: YMap, key: str) -> tuple[str, tuple[str, ...]]:
    match = _REF.match(text)
    if not match:
        raise SchemaError(m.file, m.lines.get(key), key, f"cannot read reference `{text}`", "write schema.table(column), e.g. public.accounts(id)")
    cols = tuple(c.strip() for c in (match.group(2) or "").split(",") if c.strip())
    return qualify(match.group(1)), cols


def _argument(spec: Any) -> Argument:
    if isinstance(spec, YMap):
        return Argument(spec.get("name"), spec["type"], spec.get("default"), spec.get("mode", "in"))
    text, default = spec.strip(), None
    m = re.search(r"\s+default\s+", text, re.I)
    if m:
        text, default = text[: m.start()], text[m.end() :].strip()
    parts = text.split(None, 1)
    if len(parts) == 1:
        return Argument(None, parts[0], default)
    return Argument(parts[0], parts[1], default)


def _events(spec: Any) -> tuple[TriggerEvent, ...]:
    items = spec if isinstance(spec, list) else [spec]
    out = []
    for item in items:
        m = re.match(r"^\s*(insert|update|delete|truncate)(?:\s+of\s+(.+))?\s*$", item, re.I)
        if not m:
            raise ValueError(item)
        cols = tuple(c.strip() for c in (m.group(2) or "").split(",") if c.strip())
        out.append(TriggerEvent(m.group(1).lower(), cols))
    return tuple(out)


def _value(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


class _Builder:
    def __init__(self) -> None:
        self.schemas: dict[str, Schema] = {}
        self.extensions: dict[str, Extension] = {}
        self.enums: dict[str, Enum] = {}
        self.domains: dict[str, Domain] = {}
        self.types: dict[str, Composite | Range] = {}
        self.sequences: dict[str, Sequence] = {}
        self.collations: dict[str, Collation] = {}
        self.tables: dict[str, Table] = {}
        self.functions: list[Function] = []
        self.views: dict[str, View] = {}
        self.publications: dict[str, Publication] = {}
        self.event_triggers: dict[str, EventTrigger] = {}
        self.default_privileges: dict[tuple[str, str | None, str], DefaultPrivileges] = {}
        self.rows: dict[str, Rows] = {}
        self.roles: list[str] = []
        self.pending: list[tuple[str, YMap, str, Any]] = []  # extensions to apply after all files

    def _unique(self, registry: dict[str, Any], name: str, m: YMap, key: str, what: str) -> None:
        if name in registry:
            first = registry[name].origin
            raise SchemaError(m.file, m.lines.get(key), key, f"{what} `{name}` is declared twice (first at {first})", "declare it once; other files may add policies, triggers, rows or enum values")

    def add_file(self, doc: YMap) -> None:
        for name, spec in (doc.get("schemas") or {}).items():
            self._unique(self.schemas, name, doc["schemas"], name, "schema")
            self.schemas[name] = Schema(name, _grants(spec.get("grants"), "schema"), spec.get("comment"), origin=_origin(doc["schemas"], name)) if not spec.get("external") else Schema(name, _grants(spec["grants"], "schema") if "grants" in spec else None, external=True, origin=_origin(doc["schemas"], name))
        for name, spec in (doc.get("extensions") or {}).items():
            self._unique(self.extensions, name, doc["extensions"], name, "extension")
            self.extensions[name] = Extension(name, spec["schema"], origin=_origin(doc["extensions"], name),
                                              version=None if spec.get("version") is None else str(spec["version"]), external=bool(spec.get("external")),
                                              comment=spec.get("comment"))
        for name, spec in (doc.get("enums") or {}).items():
            qn = qualify(name)
            self._unique(self.enums, qn, doc["enums"], name, "enum")
            s, n = split(qn)
            values = tuple(str(v) for v in spec["values"])
            self._no_repeats(values, spec, "values", qn)
            self.enums[qn] = Enum(s, n, values, spec.get("comment"), bool(spec.get("external")), origin=_origin(doc["enums"], name), grants=_type_grants(spec))
        for name, spec in (doc.get("types") or {}).items():
            qn = qualify(name)
            self._unique(self.types, qn, doc["types"], name, "type")
            self.types[qn] = self._type(qn, spec, doc["types"], name)
        for name, spec in (doc.get("collations") or {}).items():
            qn = qualify(name)
            self._unique(self.collations, qn, doc["collations"], name, "collation")
            s, n = split(qn)
            provider = spec.get("provider", "libc")
            if provider == "libc" and spec.get("deterministic") is False:
                raise SchemaError(spec.file, spec.lines["deterministic"], f"collations.{name}.deterministic", "only an ICU collation can be nondeterministic", "add `provider: icu`")
            if provider == "icu" and spec.get("ctype"):
                raise SchemaError(spec.file, spec.lines["ctype"], f"collations.{name}.ctype", "`ctype` is a libc collation's", "remove it")
            self.collations[qn] = Collation(s, n, spec["locale"], provider, spec.get("ctype"), spec.get("deterministic", True), spec.get("comment"), origin=_origin(doc["collations"], name))
        for name, spec in (doc.get("sequences") or {}).items():
            qn = qualify(name)
            self._unique(self.sequences, qn, doc["sequences"], name, "sequence")
            s, n = split(qn)
            typ = spec.get("type", "bigint")
            options = sequence_choices({k: str(spec[k]).lower() for k in IDENTITY_OPTIONS if k in spec}, typ)
            owner = spec.get("owned_by")
            if owner is not None and owner.count(".") != 2:
                raise SchemaError(spec.file, spec.lines["owned_by"], f"sequences.{name}.owned_by", f"`{owner}` is not schema.table.column", "name the column whose sequence this is, e.g. app.tickets.number")
            self.sequences[qn] = Sequence(s, n, typ, options, owner, _grants(spec.get("grants"), "sequence"), spec.get("comment"), origin=_origin(doc["sequences"], name))
        for name, spec in (doc.get("domains") or {}).items():
            qn = qualify(name)
            self._unique(self.domains, qn, doc["domains"], name, "domain")
            s, n = split(qn)
            default = spec.get("default")
            self.domains[qn] = Domain(s, n, spec["type"], bool(spec.get("not_null")), None if default is None else str(default), spec.get("check"), spec.get("comment"), origin=_origin(doc["domains"], name), grants=_type_grants(spec))
        for name, spec in (doc.get("tables") or {}).items():
            qn = qualify(name)
            self._unique(self.tables, qn, doc["tables"], name, "table")
            self.tables[qn] = self._table(qn, spec, doc["tables"], name)
        for spec in doc.get("functions") or []:
            self.functions.append(self._function(spec))
        for name, spec in (doc.get("views") or {}).items():
            qn = qualify(name)
            self._unique(self.views, qn, doc["views"], name, "view")
            s, n = split(qn)
            view_triggers = tuple(self._trigger(tname, t, spec["triggers"]) for tname, t in (spec.get("triggers") or {}).items())
            materialized = bool(spec.get("materialized"))
            plain_only = [k for k in ("security_invoker", "security_barrier", "check_option", "triggers") if spec.get(k)]
            if materialized and plain_only:
                raise SchemaError(spec.file, spec.lines[plain_only[0]], f"views.{name}.{plain_only[0]}", f"a materialized view has no `{plain_only[0]}`", "remove it, or make the view a plain one")
            if spec.get("indexes") and not materialized:
                raise SchemaError(spec.file, spec.lines["indexes"], f"views.{name}.indexes", "only a materialized view has indexes", "add `materialized: true`, or index the tables under it")
            self.views[qn] = View(s, n, spec["query"].strip(), _grants(spec.get("grants"), "view"), bool(spec.get("security_invoker")), spec.get("comment"),
                                  bool(spec.get("security_barrier")), spec.get("check_option"), view_triggers, origin=_origin(doc["views"], name), lint_ignore=_lint_ignore(spec),
                                  materialized=materialized, indexes=_indexes(spec),
                                  column_comments=tuple(sorted((str(c), str(text)) for c, text in (spec.get("column_comments") or {}).items())))
        for name, spec in (doc.get("event_triggers") or {}).items():
            self._unique(self.event_triggers, name, doc["event_triggers"], name, "event trigger")
            tags = spec.get("tags") or ()
            self.event_triggers[name] = EventTrigger(name, spec["event"], qualify(spec["function"]), tuple(str(t).upper() for t in (tags if isinstance(tags, list) else [tags])),
                                                     bool(spec.get("enabled", True)), spec.get("comment"), origin=_origin(doc["event_triggers"], name))
        for name, spec in (doc.get("publications") or {}).items():
            self._unique(self.publications, name, doc["publications"], name, "publication")
            self.publications[name] = self._publication(name, spec, doc["publications"])
        for i, spec in enumerate(doc.get("default_privileges") or ()):
            entries: YList = doc["default_privileges"]
            entry = DefaultPrivileges(spec["for_role"], spec.get("schema"), spec["on"], _grants(spec.get("grants"), f"new {spec['on']}"), origin=f"{entries.file}:{entries.lines[i]}")
            if entry.on == "schemas" and entry.schema:
                raise SchemaError(entries.file, entries.lines[i], f"default_privileges[{i}].schema", "default privileges on schemas apply everywhere", "remove `schema`")
            if entry.identity in self.default_privileges:
                raise SchemaError(entries.file, entries.lines[i], f"default_privileges[{i}]", f"default privileges for {entry.role} on {entry.on}{' in ' + entry.schema if entry.schema else ''} are listed twice (first at {self.default_privileges[entry.identity].origin})", "list each once")
            self.default_privileges[entry.identity] = entry
        for i, role in enumerate(doc.get("roles") or ()):
            if role in self.roles:
                raise SchemaError(doc["roles"].file, doc["roles"].lines[i], f"roles[{i}]", f"role `{role}` is declared twice", "declare it once")
            self.roles.append(role)
        for section in ("enum_values", "policies", "triggers", "rows"):
            for name, spec in (doc.get(section) or {}).items():
                self.pending.append((section, doc[section], name, spec))

    def _type(self, qn: str, spec: YMap, parent: YMap, key: str) -> Composite | Range:
        """A composite type (`attributes:`) or a range type (`range: subtype`): one of the two."""
        s, n = split(qn)
        origin = _origin(parent, key)
        if ("attributes" in spec) == ("range" in spec):
            raise SchemaError(parent.file, parent.lines.get(key), f"types.{key}", "a type has either `attributes` (a composite type) or `range` (a range type)", "give one of the two")
        if "attributes" in spec:
            extra = [k for k in ("subtype_diff", "multirange") if k in spec]
            if extra:
                raise SchemaError(spec.file, spec.lines[extra[0]], f"types.{key}.{extra[0]}", f"`{extra[0]}` belongs to a range type", "remove it, or make the type a range")
            attributes = spec["attributes"]
            if not attributes:
                raise SchemaError(spec.file, spec.lines["attributes"], f"types.{key}.attributes", "a composite type needs at least one attribute")
            return Composite(s, n, tuple((a, str(t)) for a, t in attributes.items()), spec.get("comment"), bool(spec.get("external")), origin=origin, grants=_type_grants(spec))
        return Range(s, n, spec["range"], spec.get("multirange") or default_multirange(n), spec.get("subtype_diff"), spec.get("comment"), bool(spec.get("external")), origin=origin,
                     grants=_type_grants(spec))

    def _publication(self, name: str, spec: YMap, parent: YMap) -> Publication:
        external = bool(spec.get("external"))
        if external:
            extra = [k for k in ("schemas", "all_tables", "operations", "via_root") if k in spec]
            if extra:
                raise SchemaError(spec.file, spec.lines[extra[0]], f"publications.{name}.{extra[0]}", f"the platform's publication is not the YAML's to set `{extra[0]}` on", "list only the project's tables in it")
        tables = tuple(PublishedTable(qualify(t), tuple(s.get("columns") or ()), s.get("where")) for t, s in (spec.get("tables") or {}).items())
        operations = tuple(str(o).lower() for o in spec.get("operations") or ("insert", "update", "delete", "truncate"))
        order = ("insert", "update", "delete", "truncate")
        return Publication(name, tables, tuple(spec.get("schemas") or ()), bool(spec.get("all_tables")), tuple(o for o in order if o in operations),
                           bool(spec.get("via_root")), spec.get("comment"), external, origin=_origin(parent, name))

    def _no_repeats(self, values: tuple[str, ...], m: YMap, key: str, what: str) -> None:
        seen = set()
        for v in values:
            if v in seen:
                raise SchemaError(m.file, m.lines.get(key), key, f"`{v}` appears twice in {what}", "list each value once")
            seen.add(v)

    def _table(self, qn: str, spec: YMap, parent: YMap, key: str) -> Table:
        schema, name = split(qn)
        columns: list[Column] = []
        constraints: list[Constraint] = []
        cols_spec = spec.get("columns") or YMap()
        pk_cols: list[str] = []
        for cname, c in cols_spec.items():
            if isinstance(c, str):
                columns.append(Column(cname, c))
                continue
            columns.append(
                Column(
                    cname,
                    c["type"],
                    not_null=bool(c.get("not_null")),
                    default=None if c.get("default") is None else str(c["default"]),
                    identity=c.get("identity"),
                    generated=c.get("generated"),
                    comment=c.get("comment"),
                    grants=_grants(c.get("grants"), "column"),
                    renamed_from=c.get("renamed_from"),
                    using=c.get("using"),
                    collation=c.get("collation"),
                    identity_options=_identity_options(c, cname),
                    sequence_grants=_sequence_grants(c, cname),
                )
            )
            if c.get("primary_key"):
                pk_cols.append(cname)
            if c.get("unique"):
                constraints.append(Constraint(default_constraint_name(name, "unique", (cname,)), "unique", (cname,), inline=True))
            if c.get("references"):
                ref, ref_cols = _reference(c["references"], c, "references")
                constraints.append(
                    Constraint(default_constraint_name(name, "foreign_key", (cname,)), "foreign_key", (cname,), ref, ref_cols, c.get("on_delete"), c.get("on_update"), inline=True)
                )
            elif c.get("on_delete") or c.get("on_update"):
                raise SchemaError(c.file, c.lines.get("on_delete") or c.lines.get("on_update"), f"{cname}.on_delete", "on_delete/on_update need `references`", "add references: schema.table(column)")
            if c.get("check"):
                constraints.append(Constraint(default_constraint_name(name, "check", (cname,)), "check", (cname,), expression=c["check"], inline=True))
        if len(pk_cols) > 1:
            raise SchemaError(cols_spec.file, cols_spec.line, "columns", "several columns say primary_key: true", "for a composite key use constraints: {name: {primary_key: [a, b]}}")
        if pk_cols:
            constraints.insert(0, Constraint(default_constraint_name(name, "primary_key", ()), "primary_key", tuple(pk_cols), inline=True))
        cons_spec = spec.get("constraints") or YMap()
        for cname, c in cons_spec.items():
            kinds = [k for k in ("primary_key", "unique", "check", "foreign_key", "exclude") if k in c]
            if len(kinds) != 1:
                raise SchemaError(cons_spec.file, cons_spec.lines[cname], f"constraints.{cname}", "a constraint needs exactly one of primary_key, unique, check, foreign_key, exclude")
            kind = kinds[0]
            options: dict[str, Any] = {k: bool(c.get(k)) for k in ("deferrable", "initially_deferred", "not_valid", "no_inherit")}
            if options["no_inherit"] and kind != "check":
                raise SchemaError(cons_spec.file, cons_spec.lines[cname], f"constraints.{cname}.no_inherit", "only a check can be `no_inherit`")
            if (options["deferrable"] or options["initially_deferred"]) and kind == "check":
                raise SchemaError(cons_spec.file, cons_spec.lines[cname], f"constraints.{cname}.deferrable", "a check cannot be deferred (PostgreSQL checks it on every row at once)")
            if options["not_valid"] and kind not in ("check", "foreign_key"):
                raise SchemaError(cons_spec.file, cons_spec.lines[cname], f"constraints.{cname}.not_valid", "only checks and foreign keys can be `not_valid`")
            if options["initially_deferred"]:
                options["deferrable"] = True
            options["comment"] = c.get("comment")
            if kind in ("check", "exclude"):
                constraints.append(Constraint(cname, kind, expression=c[kind], **options))
            elif kind == "foreign_key":
                if "references" not in c:
                    raise SchemaError(cons_spec.file, cons_spec.lines[cname], f"constraints.{cname}", "foreign_key needs `references`")
                ref, ref_cols = _reference(c["references"], c, "references")
                constraints.append(Constraint(cname, "foreign_key", tuple(c["foreign_key"]), ref, ref_cols, c.get("on_delete"), c.get("on_update"), **options))
            else:
                constraints.append(Constraint(cname, kind, tuple(c[kind]), **options))
        indexes = _indexes(spec)
        policies = tuple(self._policy(pname, p, spec["policies"]) for pname, p in (spec.get("policies") or {}).items())
        triggers = tuple(self._trigger(tname, t, spec["triggers"]) for tname, t in (spec.get("triggers") or {}).items())
        if spec.get("rows"):
            self.pending.append(("rows", parent, key, spec["rows"]))
        return Table(
            schema,
            name,
            tuple(columns),
            tuple(constraints),
            indexes,
            _grants(spec.get("grants"), "table"),
            bool(spec.get("rls")),
            bool(spec.get("force_rls")),
            policies,
            triggers,
            spec.get("comment"),
            external=bool(spec.get("external")),
            origin=_origin(parent, key),
            lint_ignore=_lint_ignore(spec),
            renamed_from=qualify(spec["renamed_from"]) if spec.get("renamed_from") else None,
            replica_identity=_replica_identity(spec),
            unlogged=bool(spec.get("unlogged")),
            online=bool(spec.get("online")),
            **_partitioning(spec, key),
        )

    def _policy(self, name: str, p: YMap, parent: YMap) -> Policy:
        return Policy(
            name,
            p["command"].lower(),
            _roles(p.get("roles", "public")),
            bool(p.get("permissive", True)),
            p.get("using"),
            p.get("with_check"),
            origin=_origin(parent, name),
            comment=p.get("comment"),
        )

    def _trigger(self, name: str, t: YMap, parent: YMap) -> Trigger:
        try:
            events = _events(t["events"])
        except ValueError as e:
            raise SchemaError(t.file, t.lines["events"], f"{name}.events", f"cannot read trigger event `{e}`", "use insert, update, delete, truncate or `update of col1, col2`") from None
        return Trigger(name, t["timing"].lower(), events, qualify(t["function"]), t.get("level", "row"), t.get("when"), tuple(t.get("arguments") or ()), origin=_origin(parent, name), comment=t.get("comment"))

    def _function(self, f: YMap) -> Function:
        qn = qualify(f["name"])
        schema, name = split(qn)
        external = bool(f.get("external"))
        procedure = bool(f.get("procedure"))
        if procedure:
            given = [k for k in ("returns", "returns_table", "volatility", "strict") if k in f]
            if given:
                raise SchemaError(f.file, f.lines[given[0]], f"{qn}.{given[0]}", f"a procedure has no `{given[0]}`", "remove it, or make it a function (leave out `procedure: true`)")
        if not external:
            for req in ("body",):
                if req not in f:
                    raise SchemaError(f.file, f.line, qn, f"function needs `{req}`")
            if "returns" not in f and "returns_table" not in f and not procedure:
                raise SchemaError(f.file, f.line, qn, "function needs `returns` or `returns_table`", "e.g. returns: boolean, or returns: trigger")
        returns = f.get("returns")
        returns_set = False
        if returns and returns.lower().startswith("setof "):
            returns_set, returns = True, returns[6:].strip()
        sec = (f.get("security") or "invoker").lower()
        return Function(
            schema,
            name,
            tuple(_argument(a) for a in (f.get("args") or ())),
            returns,
            body_source(f.get("body") or ""),
            language=(f.get("language") or "plpgsql").lower(),
            returns_table=tuple((k, v) for k, v in (f.get("returns_table") or {}).items()),
            returns_set=returns_set or bool(f.get("returns_table")),
            volatility=(f.get("volatility") or "volatile").lower(),
            security_definer=sec == "definer",
            strict=bool(f.get("strict")),
            config=tuple((k, v) for k, v in (f.get("set") or {}).items()),
            grants=tuple(Grant(r, ("execute",)) for r in sorted(_roles(f["execute"]))) if f.get("execute") else (),
            comment=f.get("comment"),
            external=external,
            origin=f"{f.file}:{f.line}",
            lint_ignore=_lint_ignore(f),
            procedure=procedure,
        )

    def build(self) -> Catalog:
        for section, parent, name, spec in self.pending:
            qn = qualify(name)
            where = (parent.file, parent.lines.get(name))
            if section == "enum_values":
                enum = self.enums.get(qn)
                if enum is None:
                    raise SchemaError(*where, f"enum_values.{name}", f"enum `{qn}` is not declared", "declare it under `enums:` (external: true if the platform provides it)")
                values = enum.values + tuple(str(v) for v in spec)
                self._no_repeats(values, parent, name, qn)
                self.enums[qn] = replace(enum, values=values)
                continue
            table = self.tables.get(qn)
            if table is None:
                raise SchemaError(*where, f"{section}.{name}", f"table `{qn}` is not declared", "declare it under `tables:` (external: true for platform tables such as storage.objects)")
            if section == "policies":
                table = replace(table, policies=table.policies + tuple(self._policy(p, s, spec) for p, s in spec.items()))
            elif section == "triggers":
                table = replace(table, triggers=table.triggers + tuple(self._trigger(t, s, spec) for t, s in spec.items()))
            else:
                self._rows(qn, spec, parent, name)
            self.tables[qn] = table
        return Catalog(
            schemas=tuple(self.schemas.values()),
            extensions=tuple(self.extensions.values()),
            enums=tuple(self.enums.values()),
            composites=tuple(t for t in self.types.values() if isinstance(t, Composite)),
            ranges=tuple(t for t in self.types.values() if isinstance(t, Range)),
            collations=tuple(self.collations.values()),
            domains=tuple(self.domains.values()),
            sequences=tuple(self.sequences.values()),
            tables=tuple(self.tables.values()),
            functions=tuple(self.functions),
            views=tuple(self.views.values()),
            publications=tuple(self.publications.values()),
            event_triggers=tuple(self.event_triggers.values()),
            default_privileges=tuple(self.default_privileges.values()),
            rows=tuple(self.rows.values()),
            roles=tuple(self.roles),
        )

    def _rows(self, qn: str, spec: YMap, parent: YMap, name: str) -> None:
        key = tuple(spec["key"]) if isinstance(spec["key"], list) else (spec["key"],)
        values: YList = spec["values"]
        columns: list[str] = []
        for row in values:
            for c in row:
                if c not in columns:
                    columns.append(c)
        for i, row in enumerate(values):
            missing = [c for c in columns if c not in row]
            if missing or any(k not in row for k in key):
                raise SchemaError(values.file, values.lines[i], f"rows.{name}[{i}]", f"row lacks {', '.join(missing or [k for k in key if k not in row])}", "give every row the same columns, including the key")
        rows = tuple(tuple(_value(row[c]) for c in columns) for row in values)
        existing = self.rows.get(qn)
        if existing:
            if existing.key != key or existing.columns != tuple(columns):
                raise SchemaError(parent.file, parent.lines.get(name), f"rows.{name}", f"rows for `{qn}` must use the same key and columns as at {existing.origin}")
            rows = existing.values + rows
            origin = existing.origin
        else:
            origin = f"{parent.file}:{parent.lines.get(name)}"
        made = Rows(qn, key, tuple(columns), rows, origin=origin)
        seen: set[tuple[str | None, ...]] = set()
        idx = [made.columns.index(k) for k in key]
        for r in rows:
            k = tuple(r[i] for i in idx)
            if k in seen:
                raise SchemaError(parent.file, parent.lines.get(name), f"rows.{name}", f"two rows of `{qn}` have the key {k}", "each key may appear once")
            seen.add(k)
        self.rows[qn] = made


def body_source(text: str) -> str:
    """A body written as a YAML block (`body: |`) starts on the line after `as $$`, as SQL is
    usually written; any other text is the function's source exactly."""
    if "\n" in text and text.endswith("\n") and not text.startswith("\n"):
        return "\n" + text
    return text


def body_text(source: str) -> str:
    """What to write in the YAML for a function's source: body_source's inverse (pull)."""
    rest = source[1:]
    if source.startswith("\n") and "\n" in rest and rest.endswith("\n") and not rest.startswith("\n"):
        return rest
    return source


def _lint_ignore(spec: YMap) -> tuple[tuple[str, str], ...]:
    """Justified exceptions to lint rules; unknown rule ids are an error where they are written."""
    from ..lint import rule_table

    ignores = spec.get("lint_ignore") or YMap()
    known = [r[0] for r in rule_table()]
    for rule in ignores:
        if rule not in known:
            hint = difflib.get_close_matches(rule, known, 1)
            raise SchemaError(ignores.file, ignores.lines[rule], f"lint_ignore.{rule}", f"unknown lint rule `{rule}`", f"did you mean `{hint[0]}`?" if hint else "`tickets-db lint --rules` lists them")
    return tuple((rule, str(why)) for rule, why in ignores.items())
