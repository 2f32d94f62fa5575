"""The `new` and `check` pipeline: what the migrations build (a shadow database, introspected)
against what the YAML asks for (applied to a second shadow, introspected, so both sides are
compared as PostgreSQL normalizes them), then diff → operations → rendered migration."""
from __future__ import annotations

import hashlib
import io
import os
import pickle
from dataclasses import dataclass, replace
from functools import cache
from operator import attrgetter
from pathlib import Path
from typing import Any, Callable

import psycopg

from . import __version__, db
from .authored import authored_catalog, models_of, stale_models
from .config import Project, display_path
from .diff import Plan, diff
from .diff.normalize import spelled_like_postgres
from .errors import DataLossRefused, MigrationError, SchemaError, UnprovenPlan, UnsupportedChangeError
from .introspect import Scope, introspect, normalized_types, user_schemas
from .loader import load
from .migrations import Migration, RawSql, check_sum, list_migrations, new_version, pending_raw_sql, raw_sql_files, refuse_stale_sum, slug, split_statements, write_sum
from .model import Catalog
from .kinds.common import Op
from .proof import needs_own_database, prove, run_and_read, statements_of
from .render import render_batch, render_migration, render_op
from .target import Target
from .textfile import write_atomic


def apply_catalog(conn: psycopg.Connection, authored: Catalog) -> None:
    """Build `authored` from nothing on this database, as a migration would: from nothing but
    what the platform put there before any migration (its default privileges), which the YAML
    may set otherwise."""
    from .introspect import default_privileges

    apply_ops(conn, diff(Catalog(default_privileges=default_privileges(conn)), authored).ops)


def rebuild(conn: psycopg.Connection, current: Catalog) -> None:
    """Build `current`, read from another database, on this one (a platform template): as
    apply_catalog, and then the template's own default privileges that `current` does not hold
    are reset (a migration removed them there), so the two read alike."""
    from .introspect import default_privileges
    from .kinds.default_privileges import beyond

    apply_catalog(conn, current)
    apply_ops(conn, tuple(beyond(default_privileges(conn), current.default_privileges)))


def apply_ops(conn: psycopg.Connection, ops: tuple[Op, ...] | list[Op]) -> None:
    """Enum values first, then the rest in one transaction sent as one batch (a thousand tables
    cost one round trip). When PostgreSQL refuses the batch, the operations are replayed one by
    one to point the error at the YAML that caused it."""
    for op in (op for op in ops if not op.transactional):
        _apply(conn, op)
    rest = [op for op in ops if op.transactional]
    try:
        with conn.transaction():
            conn.execute(render_batch(rest))
    except psycopg.Error:
        with conn.transaction():
            for op in rest:
                _apply(conn, op)


def _apply(conn: psycopg.Connection, op: Op) -> None:
    try:
        conn.execute(render_op(op))
    except psycopg.Error as e:
        message = e.diag.message_primary or str(e).strip()
        raise SchemaError.at(op.origin, op.key, f"PostgreSQL rejected {op.key}: {message}", e.diag.message_hint or "fix the YAML at this place") from None


def function_keys(conn: psycopg.Connection, authored: Catalog) -> dict[str, str]:
    """Authored function identities (`varchar(50)`) → PostgreSQL's (`character varying`)."""
    normal = normalized_types(conn, sorted({a.type for f in authored.functions for a in f.arguments}))
    out = {}
    for f in authored.functions:
        args = ", ".join(normal.get(a.type, a.type) for a in f.arguments if a.mode in ("in", "inout", "variadic"))
        out[f.identity] = f"{f.qualname}({args})"
    return out


def desired_catalog(target: Target, authored: Catalog, scope: Scope) -> tuple[Catalog, dict[str, str]]:
    """The YAML as PostgreSQL stores it: built from nothing in a shadow database, introspected."""
    with target.shadow() as url, db.connection(url) as conn:
        apply_catalog(conn, authored)
        keys = function_keys(conn, authored)
        return introspect(conn, scope, depends=False), keys


# What a migrated template holds is fixed by its name (the migrations' checksums), so what it
# was found to equal can be remembered: the next `new` then builds only what the YAML changed
# since — inside a transaction on that template that is always rolled back — instead of the
# whole schema from nothing in a fresh database.
@cache
def _code_key() -> str:
    """Cached results are only as good as the code that made them: any change to the loader,
    the diff, the introspection or the templates starts a fresh cache."""
    here = Path(__file__).parent
    files = sorted([*here.glob("loader/*.py"), *here.glob("diff/*.py"), *here.glob("introspect/**/*"), *here.glob("kinds/**/*"), *(here / n for n in ("model.py", "render.py", "planner.py"))])
    digest = hashlib.sha1(__version__.encode())
    for f in files:
        if f.is_file():
            digest.update(f.read_bytes())
    return digest.hexdigest()[:10]


KEEP = 16  # remembered templates per project


@dataclass(frozen=True)
class Remembered:
    """A migrated template holds `current` (read with `scope`), which is `authored` as
    PostgreSQL stores it (`desired`, with function identities `keys`)."""

    authored: Catalog
    desired: Catalog
    keys: dict[str, str]
    current: Catalog
    scope: Scope


def _cache_file(project: Project, kind: str, template: str) -> Path:
    return project.local_dir / "cache" / f"{kind}-{template}-{_code_key()}.pickle"


class _Pickler(pickle.Pickler):
    """Model objects as (class, field values): pickle's default for slotted dataclasses asks
    dataclasses.fields() for every object, a third of the time on a 1000-table catalog."""

    def reducer_override(self, obj: object) -> Any:
        values = _model_fields().get(type(obj))
        if values is None:
            return NotImplemented
        return type(obj), values(obj)


@cache
def _model_fields() -> dict[type, Callable[[object], tuple[Any, ...]]]:
    """Per model class, its field values as a tuple, read in C (attrgetter) not per field in Python."""
    from dataclasses import fields, is_dataclass

    from . import model

    def getter(cls: type) -> Callable[[object], tuple[Any, ...]]:
        names = [f.name for f in fields(cls)]
        if len(names) == 1:  # attrgetter of one name returns the value itself
            one = attrgetter(names[0])
            return lambda obj: (one(obj),)
        return attrgetter(*names)

    return {cls: getter(cls) for cls in vars(model).values()
            if isinstance(cls, type) and is_dataclass(cls) and cls.__module__ == model.__name__}


def _recall(path: Path) -> object | None:
    try:
        with path.open("rb") as f:
            found: object = pickle.load(f)
            return found
    except Exception:  # a missing, partial or outdated cache only means doing the work
        return None


def _keep(path: Path, value: object) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        buffer = io.BytesIO()
        _Pickler(buffer).dump(value)
        tmp.write_bytes(buffer.getvalue())
        tmp.replace(path)
        for old in sorted(path.parent.glob("*.pickle"), key=lambda f: f.stat().st_mtime)[:-KEEP]:
            old.unlink(missing_ok=True)  # templates of migrations long gone
    except OSError:  # a read-only project still works, only slower
        pass


def remember(project: Project, template: str, memory: Remembered) -> None:
    _keep(_cache_file(project, "template", template), memory)


def _current(target: Target, template: str, scope: Scope, known: Remembered | None) -> Catalog:
    renaming = any(r.renamed_from or r.renamed_columns for r in scope.rows)
    if known is not None and known.scope == scope and not renaming:
        return known.current
    with db.connection(target.url_for(template)) as conn:
        return introspect(conn, scope)


@dataclass(frozen=True)
class Ran:
    """A patch's text already run, as the runner runs a migration, on the state the migration
    starts from, and what it built: a migration with the same statements is proven by it."""

    statements: tuple[str, ...]
    result: Catalog


def _patched(conn: psycopg.Connection, patch: Plan, authored: Catalog, scope: Scope) -> tuple[Catalog, dict[str, str], Ran | None]:
    """The YAML as PostgreSQL stores it: `patch` run on what `conn` holds, inside a transaction
    that is always rolled back, and read back. Run as a migration is (the runner, its checks,
    then a full read), so that when the migration comes out the same, its proof is already done.
    Raises psycopg.Error or UnprovenPlan when the patch does not apply."""
    with conn.transaction(force_rollback=True):
        if not patch.ops:
            return introspect(conn, scope, depends=False), function_keys(conn, authored), None
        text = render_migration(patch.ops, "patch")
        if needs_own_database(text, "the patch"):  # enum values, which commit on their own: not a proof
            conn.execute(render_batch(patch.ops))
            return introspect(conn, scope, depends=False), function_keys(conn, authored), None
        statements = statements_of(text, "the patch")
        result = run_and_read(conn, text, "the patch", scope, len(statements))
        return replace(result, depends=()), function_keys(conn, authored), Ran(statements, result)


def _desired(target: Target, template: str, authored: Catalog, scope: Scope, known: Remembered | None, current: Catalog) -> tuple[Catalog, dict[str, str], Ran | None]:
    """The YAML as PostgreSQL stores it, built as a patch on the migrated template (see
    _patched): the difference from the YAML the template is known to hold, or, when nothing is
    remembered, from what the template holds (the YAML spelled as PostgreSQL prints it where
    that is certain; whatever still differs is rebuilt from the YAML, which is harmless there).
    When the patch does not apply, the whole YAML is built in a fresh database."""
    if known is not None and known.authored == authored:
        return known.desired, known.keys, None
    patch = diff(known.authored, authored) if known is not None else _spelling_patch(current, authored)
    if not patch.unsupported:
        try:
            with db.connection(target.url_for(template)) as conn:
                return _patched(conn, patch, authored, scope)
        except (psycopg.Error, UnprovenPlan):
            pass  # e.g. a new enum value used at once: the full build below handles it
    return (*desired_catalog(target, authored, scope), None)


def _spelling_patch(current: Catalog, authored: Catalog) -> Plan:
    """What builds the YAML on `current` when nothing was learned before: whatever differs from
    the YAML spelled as PostgreSQL prints it (see diff.normalize)."""
    spelled, keys = spelled_like_postgres(authored, current)
    return diff(current, spelled, authored, keys)


@dataclass(frozen=True)
class Comparison:
    migrations: list[Migration]
    authored: Catalog
    plan: Plan
    desired: Catalog
    keys: dict[str, str]
    scope: Scope
    template: str | None = None  # the migrated template the plan starts from (`new`, `check`)
    ran: Ran | None = None  # the patch that built `desired`, run on that template


def compare(project: Project, target: Target) -> Comparison:
    authored = load(project.schema_dir, project.root)
    scope = Scope.of(authored)
    migrations = list_migrations(project.migrations_dir)
    template = target.migrated_template(migrations)
    known = _recall(_cache_file(project, "template", template))
    known = known if isinstance(known, Remembered) else None
    current = _current(target, template, scope, known)
    desired, keys, ran = _desired(target, template, authored, scope, known, current)
    plan = diff(current, desired, authored, keys)
    if plan.empty and (known is None or known.authored != authored or known.scope != scope):
        remember(project, template, Remembered(authored, desired, keys, current, scope))
    return Comparison(migrations, authored, plan, desired, keys, scope, template, ran)


def _generated_count(text: str, raw: list[RawSql]) -> int:
    """How many statements of a migration the templates wrote (the raw files' come last)."""
    return len(split_statements(text)) - sum(len(split_statements(r.text)) for r in raw)


def prove_on_template(target: Target, comparison: Comparison, text: str, filename: str, raw: list[RawSql]) -> Catalog:
    """The migration run on the template the migrations so far build, in a transaction that
    rolls back (or on a clone of it, when the migration has statements that commit); not run
    again when the patch that built the desired state was this very migration."""
    assert comparison.template is not None
    ran = comparison.ran
    if ran is not None and not raw and statements_of(text, filename) == ran.statements:
        return ran.result
    args = (text, filename, comparison.scope, comparison.desired, comparison.authored, comparison.keys, _generated_count(text, raw))
    if needs_own_database(text, filename):
        with target.shadow(comparison.template) as url, db.connection(url) as conn:
            return prove(conn, *args)
    with db.connection(target.url_for(comparison.template)) as conn, conn.transaction(force_rollback=True):
        return prove(conn, *args)


def _values_first(ops: tuple[Op, ...]) -> tuple[tuple[Op, ...], tuple[Op, ...]] | None:
    """Enum value adds and what follows them, when a plan has both and nothing else that must
    commit on its own: two files, the value adds first."""
    from .kinds.enums import AddEnumValue

    first = tuple(op for op in ops if isinstance(op, AddEnumValue))
    rest = tuple(op for op in ops if not isinstance(op, AddEnumValue))
    if not first or not rest or any(not op.transactional for op in rest):
        return None
    return first, rest


@dataclass(frozen=True)
class Written:
    path: Path
    hazards: tuple[tuple[str, str], ...] = ()  # (operation, hazard)
    before: tuple[Path, ...] = ()  # written first (the enum value adds, in a file of their own)


def new_migration(project: Project, target: Target, name: str, empty: bool = False, allow_data_loss: bool = False,
                  online: bool = False, allow_rewrite: bool = False) -> Written | None:
    """Write the next migration; None when the YAML and the migrations already agree. Data loss
    (dropped tables or columns) is refused unless `allow_data_loss`. Changes to online tables
    (`online: true` in the YAML; every table with `online` here or in tickets-db.toml) are
    written in their online form (online.py)."""
    migrations = list_migrations(project.migrations_dir)
    refuse_stale_sum(project.migrations_dir, project.sum_file)
    version = new_version(migrations)
    path = project.migrations_dir / f"{version}_{slug(name)}.sql"
    hazards: tuple[tuple[str, str], ...] = ()
    if empty:
        text = f"-- {slug(name)}\n-- Written by hand. Runs in one transaction; statements that cannot\n-- (enum value adds) go under a `-- tickets-db: autocommit` line at the top.\n"
    else:
        comparison = compare(project, target)
        if comparison.plan.unsupported:
            raise UnsupportedChangeError(list(comparison.plan.unsupported))
        raw = pending_raw_sql(raw_sql_files(project.schema_dir, project.root), migrations)
        if not comparison.plan.ops and not raw:
            return None
        losses = [f"{op.key}: {op.hazard}" for op in comparison.plan.ops if op.loses_data]
        if losses and not allow_data_loss:
            raise DataLossRefused(losses)
        source = str(project.schema_dir.relative_to(project.root)) + "/"
        from .online import segments as online_segments

        every = online or project.online
        busy = frozenset(t.qualname for t in comparison.authored.tables if every or t.online)
        segments = online_segments(comparison.plan.ops, busy, allow_rewrite)
        text = render_migration(comparison.plan.ops, slug(name), source, raw, segments, project.lock_timeout_ms, project.lock_retries)
        shown = [op for _, seg in segments for op in seg] if segments else list(comparison.plan.ops)
        hazards = tuple((op.key, op.hazard) for op in shown if op.hazard)
        result = prove_on_template(target, comparison, text, display_path(path, project.root), raw)
        values = None if segments else _values_first(comparison.plan.ops)
    project.migrations_dir.mkdir(parents=True, exist_ok=True)
    before: tuple[Path, ...] = ()
    if not empty and values:
        # Proven as one file whose value adds commit first; written as two, so that runners that
        # run each file in one transaction (the Supabase CLI, psql -1, Flyway) run it too.
        first, rest = values
        before = (path.with_name(f"{version}_{slug(name)}-enum-values.sql"),)
        write_atomic(before[0], render_migration(first, f"{slug(name)}-enum-values", source))
        path = path.with_name(f"{new_version([*migrations, *list_migrations(project.migrations_dir)[-1:]])}_{slug(name)}.sql")
        text = render_migration(rest, slug(name), source, raw)
    write_atomic(path, text)
    write_sum(project.migrations_dir, project.sum_file)
    if not empty:
        # what the migrations now build, as the proof read it back
        memory = Remembered(comparison.authored, comparison.desired, comparison.keys, result, comparison.scope)
        remember(project, target.migrated_template_name(list_migrations(project.migrations_dir)), memory)
    return Written(path, hazards, before)


def live_diff(project: Project, target: Target) -> Comparison:
    """The live database (what it is) against the YAML (what it should be). The database is
    only read: on the workspace's platform template, inside a transaction that is rolled back,
    the state read is built again, the YAML is built on it as a patch and the plan proven on
    it (see _patched); what cannot be proven there is proven on a copy of its own."""
    authored = load(project.schema_dir, project.root)
    scope = Scope.of(authored)
    with db.connection(target.url) as conn:
        current = introspect(conn, scope)
    known = _known_live(project, target, current, scope)
    work = target.workspace()
    found: tuple[Catalog, dict[str, str], Ran | None] | None = None
    with work.scratch() as conn:
        if known is not None and known.authored == authored:
            found = (known.desired, known.keys, None)
        built = _rebuilt(conn, current)
        if built and found is None:
            patch = diff(known.authored, authored) if known is not None else _spelling_patch(current, authored)
            if not patch.unsupported:
                try:
                    found = _patched(conn, patch, authored, scope)
                except (psycopg.Error, UnprovenPlan):
                    pass  # the full build below, in a database of its own
        if found is not None:
            desired, keys, ran = found
            comparison = Comparison([], authored, diff(current, desired, authored, keys), desired, keys, scope)
            text = _plan_text(comparison)
            if text is None or (ran is not None and statements_of(text) == ran.statements):
                return comparison  # nothing to prove, or the patch was this plan: run and read back already
            if built and not needs_own_database(text, "the diff"):
                with conn.transaction(force_rollback=True):
                    prove(conn, text, "the diff", scope, desired, authored, keys, _generated_count(text, []))
                return comparison
    if found is None:
        desired, keys = desired_catalog(work, authored, scope)
        comparison = Comparison([], authored, diff(current, desired, authored, keys), desired, keys, scope)
        text = _plan_text(comparison)
    if text is not None:  # what the scratch state could not prove: on a copy of its own
        with work.shadow() as url, db.connection(url) as conn:
            rebuild(conn, current)
            prove(conn, text, "the diff", scope, desired, authored, keys, _generated_count(text, []))
    return comparison


def _known_live(project: Project, target: Target, current: Catalog, scope: Scope) -> Remembered | None:
    """What `new` or `check` learned of the migrations' state, when the live database reads
    exactly as that state: then the YAML is built on it as the patch since that YAML (one
    statement for one edit, and so usually the proof too) instead of everything the YAML's
    spelling cannot tell is already there."""
    try:
        migrations = list_migrations(project.migrations_dir)
    except MigrationError:
        return None
    known = _recall(_cache_file(project, "template", target.migrated_template_name(migrations)))
    if isinstance(known, Remembered) and known.scope == scope and known.current == current:
        return known
    return None


def _plan_text(comparison: Comparison) -> str | None:
    """The plan as the migration text to prove; None when there is nothing to run."""
    if not comparison.plan.ops or comparison.plan.unsupported:
        return None
    return render_migration(comparison.plan.ops, "diff")


def _rebuilt(conn: psycopg.Connection, current: Catalog) -> bool:
    """Build `current` (read from another database) here; False when it cannot be (the proof
    then reports why, on a database of its own)."""
    try:
        with conn.transaction():
            rebuild(conn, current)
        return True
    except (SchemaError, psycopg.Error):
        return False


def live_catalog(conn: psycopg.Connection, authored: Catalog, schemas: tuple[str, ...] = ()) -> Catalog:
    """What a live database holds of the project: the schemas given, else the YAML's, else all
    the database's own; with the platform tables the YAML attaches policies and triggers to."""
    scope = Scope.of(authored)
    return introspect(conn, Scope(schemas or scope.schemas or tuple(user_schemas(conn)), scope.external_tables))


def project_catalog(project: Project, target: Target | None = None, schemas: tuple[str, ...] = ()) -> Catalog:
    """The catalog the read-only commands (typegen, policies) show: the YAML, or with a target
    what that database holds."""
    authored = authored_catalog(project)
    if target is None:
        return authored
    with db.connection(target.url) as conn:
        return live_catalog(conn, authored, schemas)


def models(project: Project, target: Target | None = None, schemas: tuple[str, ...] = ()) -> str:
    """The typed models module: from the YAML, or from the database `target` when given."""
    return models_of(project_catalog(project, target, schemas), project)


def check(project: Project, target: Target) -> list[str]:
    """Problems that make CI fail: the sum file, any difference between what the migrations
    build and what the YAML asks for, and stale generated models."""
    problems = check_sum(project.migrations_dir, project.sum_file)
    comparison = compare(project, target)
    if comparison.plan.ops:
        problems.append("the migrations do not build the YAML; `tickets-db new NAME` would write:\n" + "\n".join(f"    {op.key}" for op in comparison.plan.ops))
    problems += [f"the migrations differ from the YAML: {u}" for u in comparison.plan.unsupported]
    problems += [f"no migration holds {r.path} as it is now (run `tickets-db new NAME`)" for r in pending_raw_sql(raw_sql_files(project.schema_dir, project.root), comparison.migrations)]
    if comparison.template is not None:
        problems += _seeds_and_tests_setup(project, target, comparison.template)
    stale = stale_models(project)
    return problems + ([stale] if stale else [])


def _seeds_and_tests_setup(project: Project, target: Target, template: str) -> list[str]:
    """What would otherwise fail only at `reset` or `test`: the pgTAP folder's setup.sql (with
    the test helpers, in a transaction rolled back: it is checked alone, as `test` runs it),
    then the seeds, on a throwaway copy of what the migrations build — a seed still naming a
    column the YAML renamed, say."""
    from .pgtap import SETUP, helpers_sql, run_setup
    from .seed import list_seeds, load as load_seeds

    seeds = list_seeds(project.seeds_dir)
    setup = project.tests_dir / SETUP
    if not seeds and not setup.is_file():
        return []
    with target.shadow(template) as url, db.connection(url) as conn:
        try:
            if setup.is_file():
                with conn.transaction(force_rollback=True):
                    conn.execute("set local check_function_bodies = off")  # the helpers name pgTAP, which need not be here
                    conn.execute(helpers_sql())
                    conn.execute("set local check_function_bodies = on")
                    run_setup(conn, project.tests_dir, project.root)
            load_seeds(conn, seeds, project.root)
        except MigrationError as e:
            return [f"the seeds and {display_path(setup, project.root)} must run on what the migrations build, and do not:\n    {str(e).replace(chr(10), chr(10) + '    ')}"]
    return []
