"""The `new` and `check` pipeline: what the migrations build (a shadow database, introspected)
against what the YAML asks for (applied to a second shadow, introspected, so both sides are
compared as PostgreSQL normalizes them), then diff → operations → rendered migration."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import psycopg

from . import db
from .config import Project, display_path
from .diff import Plan, diff
from .errors import DataLossRefused, SchemaError, UnsupportedChangeError
from .introspect import Scope, introspect, user_schemas
from .loader import load
from .migrations import Migration, list_migrations, new_version, slug, write_sum, check_sum
from .model import Catalog
from .render import render_migration, render_op
from .target import Target
from .typegen import generate as generate_types


def current_catalog(target: Target, migrations: list[Migration], scope: Scope) -> Catalog:
    template = target.migrated_template(migrations)
    with db.connection(target.url_for(template)) as conn:
        return introspect(conn, scope)


def apply_catalog(conn: psycopg.Connection, authored: Catalog) -> None:
    """Build `authored` from nothing on this database (autocommit, enum values first, as a
    migration would); errors point at the YAML that caused them."""
    ops = diff(Catalog(), authored).ops
    for op in sorted(ops, key=lambda op: op.transactional):
        try:
            conn.execute(render_op(op))  # type: ignore[arg-type]
        except psycopg.Error as e:
            message = e.diag.message_primary or str(e).strip()
            raise SchemaError.at(op.origin, op.key, f"PostgreSQL rejected {op.key}: {message}", e.diag.message_hint or "fix the YAML at this place") from None


def function_keys(conn: psycopg.Connection, authored: Catalog) -> dict[str, str]:
    """Authored function identities (`varchar(50)`) → PostgreSQL's (`character varying`)."""
    types = sorted({a.type for f in authored.functions for a in f.arguments})
    normal: dict[str, str] = {}
    if types:
        with conn.transaction():
            conn.execute("set local search_path = ''")
            rows = conn.execute("select t, format_type(to_regtype(t), null) from unnest(%s::text[]) t", (types,)).fetchall()
        normal = {t: n or t for t, n in rows}
    out = {}
    for f in authored.functions:
        args = ", ".join(normal.get(a.type, a.type) for a in f.arguments if a.mode in ("in", "inout", "variadic"))
        out[f.identity] = f"{f.qualname}({args})"
    return out


def desired_catalog(target: Target, authored: Catalog, scope: Scope) -> tuple[Catalog, dict[str, str]]:
    with target.shadow() as url, db.connection(url) as conn:
        apply_catalog(conn, authored)
        keys = function_keys(conn, authored)
        return introspect(conn, scope), keys


@dataclass(frozen=True)
class Comparison:
    migrations: list[Migration]
    authored: Catalog
    plan: Plan


def compare(project: Project, target: Target) -> Comparison:
    authored = load(project.schema_dir, project.root)
    scope = Scope.of(authored)
    migrations = list_migrations(project.migrations_dir)
    current = current_catalog(target, migrations, scope)
    desired, keys = desired_catalog(target, authored, scope)
    return Comparison(migrations, authored, diff(current, desired, authored, keys))


@dataclass(frozen=True)
class Written:
    path: Path
    hazards: tuple[tuple[str, str], ...] = ()  # (operation, hazard)


def new_migration(project: Project, target: Target, name: str, empty: bool = False, allow_data_loss: bool = False) -> Written | None:
    """Write the next migration; None when the YAML and the migrations already agree. Data loss
    (dropped tables or columns) is refused unless `allow_data_loss`."""
    migrations = list_migrations(project.migrations_dir)
    version = new_version(migrations)
    path = project.migrations_dir / f"{version}_{slug(name)}.sql"
    hazards: tuple[tuple[str, str], ...] = ()
    if empty:
        text = f"-- {slug(name)}\n-- Written by hand. Runs in one transaction; statements that cannot\n-- (enum value adds) go under a `-- tickets-db: autocommit` line at the top.\n"
    else:
        comparison = compare(project, target)
        if comparison.plan.unsupported:
            raise UnsupportedChangeError(list(comparison.plan.unsupported))
        if not comparison.plan.ops:
            return None
        losses = [f"{op.key}: {op.hazard}" for op in comparison.plan.ops if op.loses_data]
        if losses and not allow_data_loss:
            raise DataLossRefused(losses)
        source = str(project.schema_dir.relative_to(project.root)) + "/"
        text = render_migration(comparison.plan.ops, slug(name), source)
        hazards = tuple((op.key, op.hazard) for op in comparison.plan.ops if op.hazard)
    project.migrations_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    write_sum(project.migrations_dir)
    return Written(path, hazards)


def live_diff(project: Project, target: Target) -> Comparison:
    """The live database (what it is) against the YAML (what it should be)."""
    authored = load(project.schema_dir, project.root)
    scope = Scope.of(authored)
    with db.connection(target.url) as conn:
        current = introspect(conn, scope)
    desired, keys = desired_catalog(target, authored, scope)
    return Comparison([], authored, diff(current, desired, authored, keys))


def models(project: Project, target: Target | None = None, schemas: tuple[str, ...] = ()) -> str:
    """The typed models module: from the YAML, or from the database `target` when given."""
    overrides = dict(project.typegen_types)
    if target is None:
        return generate_types(load(project.schema_dir, project.root), overrides)
    if not schemas and project.schema_dir.is_dir():
        schemas = Scope.of(load(project.schema_dir, project.root)).schemas
    with db.connection(target.url) as conn:
        return generate_types(introspect(conn, Scope(schemas or tuple(user_schemas(conn)))), overrides)


def stale_models(project: Project) -> str | None:
    """Why the committed models file is not what typegen writes now, or None."""
    path = project.typegen_output
    shown = display_path(path, project.root)
    if not path.is_file():
        return f"{shown} is missing (run `tickets-db typegen`)"
    if path.read_text(encoding="utf-8") != models(project):
        return f"{shown} is stale: the YAML changed since it was generated (run `tickets-db typegen`)"
    return None


def check(project: Project, target: Target) -> list[str]:
    """Problems that make CI fail: the sum file, any difference between what the migrations
    build and what the YAML asks for, and stale generated models."""
    problems = check_sum(project.migrations_dir)
    comparison = compare(project, target)
    if comparison.plan.ops:
        problems.append("the migrations do not build the YAML; `tickets-db new NAME` would write:\n" + "\n".join(f"    {op.key}" for op in comparison.plan.ops))
    problems += [f"the migrations differ from the YAML: {u}" for u in comparison.plan.unsupported]
    stale = stale_models(project)
    return problems + ([stale] if stale else [])


