"""The lint rules: model → findings. Each rule says what it catches, why it matters and how to
fix it, in the words the README's rule table repeats (`tickets-db lint --rules` prints it).
Rules read only the Catalog, so they run alike on the YAML and on an introspected database;
expressions are read with sqlglot, never searched as text."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlglot import exp

from ..model import Catalog, Policy, Table
from ..platform import API_ROLES
from ..sql_expressions import parse

COMMANDS = ("select", "insert", "update", "delete")
# Calls that read the request's JWT: once per query inside `(select …)`, once per row outside it.
PER_REQUEST = {"auth.uid", "auth.jwt", "auth.role", "auth.email", "current_setting"}

Hit = tuple[str, str, str | None]  # (object, what is wrong here, origin)


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: str  # error | warning
    title: str
    why: str
    hint: str
    check: Callable[[Catalog], Iterator[Hit]]


RULES: dict[str, Rule] = {}

BIG_TABLE_ROWS = 10_000
# Rules only a database can answer (lint/migrations.py, lint/bodies.py): (severity, what, why, fix).
DATABASE_RULES = {
    "migration_not_null_without_default": ("error", "Adding a NOT NULL column without a default to a table with rows", "the migration fails on the first existing row", "add a default, or add the column nullable, backfill it, then set not null"),
    "migration_locks_big_table": ("warning", f"A plain change that scans or rewrites a big table (≥ {BIG_TABLE_ROWS:,} rows) under a strong lock", "a foreign key or check added valid, `set not null`, or a type change holds a lock that blocks every write while PostgreSQL scans or rewrites the table", "make the table online (`online: true` in the YAML, or `tickets-db new NAME --online`): `new` then writes the change's online form"),
    "migration_index_without_concurrently": ("warning", f"Creating an index without CONCURRENTLY on a big table (≥ {BIG_TABLE_ROWS:,} rows)", "a plain create index blocks every write to the table while it builds", "write `create index concurrently` in an autocommit segment (`-- tickets-db: autocommit`)"),
    "plpgsql_check": ("error", "PL/pgSQL body that fails when it runs", "PostgreSQL checks a PL/pgSQL body only when each statement first runs: the error waits for a user", "fix the function body at that line"),
}


def rule(id: str, severity: str, title: str, why: str, hint: str) -> Callable[[Callable[[Catalog], Iterator[Hit]]], Callable[[Catalog], Iterator[Hit]]]:
    def register(check: Callable[[Catalog], Iterator[Hit]]) -> Callable[[Catalog], Iterator[Hit]]:
        RULES[id] = Rule(id, severity, title, why, hint, check)
        return check

    return register


def exposed_schemas(cat: Catalog) -> set[str]:
    """Schemas the API roles can reach: `public`, and any schema granting them usage."""
    return {"public"} | {s.name for s in cat.schemas if any(g.role in ("anon", "authenticated", "public") and "usage" in g.privileges for g in s.grants or ())}


def owned_tables(cat: Catalog) -> list[Table]:
    return [t for t in cat.tables if not t.external]




def calls(text: str | None) -> list[tuple[str, bool]]:
    """(function name, called inside a sub-select) for each call in an expression."""
    tree = parse(text)
    found = []
    for node in tree.walk() if tree is not None else ():
        if isinstance(node, exp.Anonymous):
            name = node.name.lower()
            if isinstance(node.parent, exp.Dot) and node.parent.expression is node:
                name = f"{node.parent.this.name.lower()}.{name}"
            found.append((name, node.find_ancestor(exp.Select) is not None))
    return found


def _policy_texts(p: Policy) -> list[str]:
    return [t for t in (p.using, p.with_check) if t]


@rule("rls_disabled_in_exposed", "error", "Table without RLS in an exposed schema",
      "anon and authenticated reach every row of it through the API", "set `rls: true` and write policies")
def _rls_disabled(cat: Catalog) -> Iterator[Hit]:
    exposed = exposed_schemas(cat)
    for t in owned_tables(cat):
        if t.schema in exposed and not t.rls:
            yield f"table {t.qualname}", "row level security is off", t.origin


@rule("rls_enabled_no_policy", "warning", "RLS enabled, no policy",
      "every API query on it returns nothing: usually a forgotten policy", "add the policies, or justify with lint_ignore if only service_role uses it")
def _no_policy(cat: Catalog) -> Iterator[Hit]:
    for t in owned_tables(cat):
        if t.rls and not t.policies:
            yield f"table {t.qualname}", "RLS is on but no policy grants any row", t.origin


@rule("policy_exists_rls_disabled", "error", "Policies on a table without RLS",
      "policies do nothing until RLS is enabled: the table is open while it looks protected", "set `rls: true`")
def _policy_no_rls(cat: Catalog) -> Iterator[Hit]:
    for t in cat.tables:
        if t.policies and not t.rls and not t.external:
            yield f"table {t.qualname}", f"{len(t.policies)} policies, but RLS is off", t.origin


@rule("function_search_path_mutable", "warning", "Function without a fixed search_path",
      "a caller's search_path can redirect the names it uses (to their own tables or functions)", "add `set: {search_path: ''}` and qualify every name")
def _search_path(cat: Catalog) -> Iterator[Hit]:
    for f in cat.functions:
        if not f.external and "search_path" not in dict(f.config):
            yield f"function {f.qualname}", "search_path is not set", f.origin


@rule("security_definer_executable_by_anon", "error", "Security definer function callable by anon",
      "it runs with its owner's rights (past RLS) for anyone, signed in or not", "grant execute to authenticated only, or make it security invoker")
def _definer_anon(cat: Catalog) -> Iterator[Hit]:
    for f in cat.functions:
        roles = {g.role for g in f.grants if "execute" in g.privileges}
        if not f.external and f.security_definer and roles & {"anon", "public"} and (f.returns or "").lower() != "trigger":
            yield f"function {f.qualname}", f"security definer, executable by {', '.join(sorted(roles & {'anon', 'public'}))}", f.origin


@rule("auth_rls_initplan", "warning", "auth.uid() evaluated per row in a policy",
      "outside a sub-select PostgreSQL calls it for every row scanned; `(select auth.uid())` is called once", "wrap the call: `(select auth.uid())`")
def _initplan(cat: Catalog) -> Iterator[Hit]:
    for t in cat.tables:
        for p in t.policies:
            per_row = sorted({name for text in _policy_texts(p) for name, in_select in calls(text) if name in PER_REQUEST and not in_select})
            if per_row:
                yield f"policy {t.qualname}.{p.name}", f"calls {', '.join(n + '()' for n in per_row)} per row", p.origin or t.origin


@rule("multiple_permissive_policies", "warning", "Several permissive policies for one role and command",
      "PostgreSQL evaluates every one of them for each row (they are OR-ed): slower, and harder to reason about", "merge them into one policy with `or`")
def _multiple_permissive(cat: Catalog) -> Iterator[Hit]:
    for t in cat.tables:
        by: dict[tuple[str, str], list[str]] = defaultdict(list)
        for p in t.policies:
            if not p.permissive:
                continue
            roles = API_ROLES if "public" in p.roles else p.roles
            for command in COMMANDS if p.command == "all" else (p.command,):
                for role in roles:
                    by[(role, command)].append(p.name)
        for (role, command), names in sorted(by.items()):
            if len(names) > 1:
                yield f"table {t.qualname}", f"{command} for {role}: {', '.join(names)}", t.origin


@rule("unindexed_foreign_keys", "warning", "Foreign key without a covering index",
      "deleting or updating a referenced row scans the whole referencing table, and joins on it are slow", "add an index whose leading columns are the foreign key's")
def _unindexed_fk(cat: Catalog) -> Iterator[Hit]:
    for t in owned_tables(cat):
        covering = [i.columns for i in t.indexes if not i.where] + [k.columns for k in t.constraints if k.kind in ("primary_key", "unique")]
        for k in t.constraints:
            if k.kind == "foreign_key" and not any(tuple(cols[: len(k.columns)]) == k.columns for cols in covering):
                yield f"table {t.qualname}", f"{k.name} ({', '.join(k.columns)}) has no index", t.origin


@rule("duplicate_index", "warning", "Duplicate index",
      "two indexes with the same definition cost writes and space twice", "drop one of them")
def _duplicate_index(cat: Catalog) -> Iterator[Hit]:
    for t in owned_tables(cat):
        seen: dict[tuple[object, ...], str] = {}
        keyed: list[tuple[str, tuple[object, ...]]] = [(k.name, (k.columns, "btree", None)) for k in t.constraints if k.kind in ("primary_key", "unique")]
        keyed += [(i.name, (i.columns, i.method, i.where)) for i in t.indexes]
        for name, key in keyed:
            if key in seen:
                yield f"table {t.qualname}", f"{name} duplicates {seen[key]}", t.origin
            else:
                seen[key] = name


@rule("unbounded_text_in_exposed", "warning", "Unbounded text in an exposed table",
      "anyone who may insert can store megabytes per row", "use varchar(n), or a check on length()")
def _unbounded_text(cat: Catalog) -> Iterator[Hit]:
    exposed = exposed_schemas(cat)
    for t in owned_tables(cat):
        if t.schema not in exposed:
            continue
        checked = {c.this.name for k in t.constraints if k.kind == "check" for node in [parse(k.expression)] if node is not None
                   for c in node.find_all(exp.Column) if c.find_ancestor(exp.Length, exp.Anonymous) is not None}
        for c in t.columns:
            if c.type.strip().lower() in ("text", "varchar", "character varying", "citext") and c.name not in checked and not c.generated:
                yield f"table {t.qualname}", f"column {c.name} is {c.type} without a size limit", t.origin


@rule("grants_to_anon", "warning", "Privileges granted to anon",
      "anon is anyone with the public API key: every grant is public", "grant to authenticated, or justify with lint_ignore")
def _grants_to_anon(cat: Catalog) -> Iterator[Hit]:
    for t in owned_tables(cat):
        for g in t.grants:
            if g.role == "anon":
                yield f"table {t.qualname}", f"anon may {', '.join(g.privileges)}", t.origin
        for c in t.columns:
            for g in c.grants:
                if g.role == "anon":
                    yield f"table {t.qualname}", f"anon may {', '.join(g.privileges)} column {c.name}", t.origin
    for v in cat.views:
        for g in v.grants:
            if g.role == "anon":
                yield f"view {v.qualname}", f"anon may {', '.join(g.privileges)}", v.origin
    for f in cat.functions:
        if not f.external and any(g.role == "anon" for g in f.grants):
            yield f"function {f.qualname}", "anon may execute it", f.origin


@rule("no_primary_key", "warning", "Table without a primary key",
      "rows cannot be addressed one by one (updates from the API, replication, typegen keys)", "add a primary key")
def _no_pk(cat: Catalog) -> Iterator[Hit]:
    for t in owned_tables(cat):
        if not any(k.kind == "primary_key" for k in t.constraints):
            yield f"table {t.qualname}", "no primary key", t.origin


@rule("rls_policy_always_true", "warning", "Policy that lets every row through on a write",
      "`using (true)` / `with check (true)` on insert, update or delete lets any caller with the role change any row", "compare the row with the caller, e.g. `(select auth.uid()) = user_id`")
def _always_true(cat: Catalog) -> Iterator[Hit]:
    for t in cat.tables:
        for p in t.policies:
            if p.command == "select" or not p.permissive:
                continue
            texts = [parse(x) for x in _policy_texts(p)]
            if texts and any(isinstance(x, exp.Boolean) and x.this is True for x in texts):
                yield f"policy {t.qualname}.{p.name}", f"{p.command}: always true", p.origin or t.origin


@rule("rls_references_user_metadata", "error", "Policy trusts user_metadata",
      "users can edit their own user_metadata, so a policy reading it lets them grant themselves access", "use app_metadata or a table the user cannot write")
def _user_metadata(cat: Catalog) -> Iterator[Hit]:
    for t in cat.tables:
        for p in t.policies:
            trees = [parse(x) for x in _policy_texts(p)]
            keys = [n for tree in trees if tree is not None for n in tree.find_all(exp.Literal, exp.JSONPathKey)]
            if any(n.this == "user_metadata" and not (isinstance(n, exp.Literal) and not n.is_string) for n in keys):
                yield f"policy {t.qualname}.{p.name}", "reads user_metadata from the JWT", p.origin or t.origin


@rule("security_definer_view", "error", "View that bypasses RLS",
      "a view runs with its owner's rights unless security_invoker is set: RLS of the tables under it is skipped", "set `security_invoker: true`")
def _definer_view(cat: Catalog) -> Iterator[Hit]:
    exposed = exposed_schemas(cat)
    for v in cat.views:
        if v.schema in exposed and not v.security_invoker and not v.materialized:
            yield f"view {v.qualname}", "runs as its owner (no security_invoker)", v.origin


@rule("materialized_view_in_api", "warning", "Materialized view readable through the API",
      "its rows were computed with its owner's rights when it was refreshed: RLS never applies to them", "revoke select from anon and authenticated, or keep it in a schema the API does not expose")
def _exposed_matview(cat: Catalog) -> Iterator[Hit]:
    exposed = exposed_schemas(cat)
    for v in cat.views:
        readers = sorted({g.role for g in v.grants if "select" in g.privileges} & {"anon", "authenticated", "public"})
        if v.materialized and v.schema in exposed and readers:
            yield f"materialized view {v.qualname}", f"{', '.join(readers)} may select every row of it", v.origin
