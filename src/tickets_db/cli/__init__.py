"""The command line: parse, call the library, print. Exit codes: 0 success; 1 a database or
migration failure, drift (`check`, `diff`), lint errors, failing pgTAP tests, stale models;
2 bad input (YAML, configuration, usage); 3 a change `new` refuses to generate; 4 a defect of
tickets-db itself (an unexpected error: one line, the traceback only with --debug). Everything
printed passes through redaction.scrub: no secret reaches the terminal."""
from __future__ import annotations

import gc
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from .. import __version__
from ..config import display_path
from ..errors import ConfirmationRequired, TicketsDbError
from ..redaction import ScrubbedStream, remember, remember_environment

if TYPE_CHECKING:  # the database stack is imported by the commands that need it
    from ..config import Project
    from ..target import Target

EXIT_CODES = "Exit codes: 0 ok · 1 database/migration failure, drift, lint errors or failing tests · 2 bad input · 3 change refused · 4 a defect of tickets-db (--debug shows the traceback)."
DEBUG_ENV = "TICKETS_DB_DEBUG"
app = typer.Typer(
    name="tickets-db",
    help=f"Declarative PostgreSQL (Supabase-style) schemas in YAML → migrations, resets, seeds.\n\n{EXIT_CODES}",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish, PowerShell
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True, file=ScrubbedStream(lambda: sys.stdout))  # type: ignore[arg-type]
err = Console(soft_wrap=True, file=ScrubbedStream(lambda: sys.stderr), stderr=True)  # type: ignore[arg-type]


class State:
    db_url: str | None = None
    shadow_url: str | None = None
    project_dir: Path | None = None
    debug: bool = False


state = State()


def _print_version(value: bool) -> None:
    if value:
        out.print(__version__)
        raise typer.Exit(0)


@app.callback()
def main_options(
    db_url: Annotated[Optional[str], typer.Option("--db-url", envvar="DATABASE_URL", help="Database URL; default: the embedded local database.", show_envvar=True)] = None,
    shadow_url: Annotated[Optional[str], typer.Option("--shadow-url", envvar="TICKETS_DB_SHADOW_URL", help="A server for throwaway databases when --db-url may only be read (diff); default: the embedded local database.", show_envvar=True)] = None,
    project_dir: Annotated[Optional[Path], typer.Option("--project-dir", help="Project root (holds tickets-db.toml); default: found from the current folder.")] = None,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.", is_eager=True, callback=_print_version)] = False,
    debug: Annotated[bool, typer.Option("--debug", envvar=DEBUG_ENV, help="On an unexpected error, show the traceback.")] = False,
) -> None:
    remember(db_url)
    remember(shadow_url)
    state.db_url, state.shadow_url, state.project_dir, state.debug = db_url, shadow_url, project_dir, debug


# Every command that reads or writes a database takes --db-url after its name too (as CI
# scripts write it); it wins over the one before the name.
DbUrl = Annotated[Optional[str], typer.Option("--db-url", help="Database URL (also accepted before the command); default: $DATABASE_URL, tickets-db.toml, then the local database.", show_default=False)]


Format = Annotated[str, typer.Option("--format", help="table (for people) or json (for machines: stable keys, see the README).")]


def _json(format: str) -> bool:
    if format not in ("table", "json"):
        raise typer.BadParameter("--format is table or json")
    return format == "json"


def _print_json(value: object) -> None:
    import json

    out.print(json.dumps(value, indent=2, default=str), highlight=False, markup=False, soft_wrap=True)


def _project() -> Project:
    from ..config import load_project

    return load_project(state.project_dir)


def _target(project: Project, db_url: str | None = None) -> Target:
    from ..config import resolve_url
    from ..target import resolve

    remember(db_url)
    return resolve(project, resolve_url(project, db_url or state.db_url), state.shadow_url)


@app.command()
def new(
    name: Annotated[str, typer.Argument(help="What the migration does, e.g. support-schema.")],
    empty: Annotated[bool, typer.Option("--empty", help="Write a blank migration for hand-written SQL.")] = False,
    allow_data_loss: Annotated[bool, typer.Option("--allow-data-loss", help="Allow dropping tables and columns (their data goes with them).")] = False,
    online: Annotated[bool, typer.Option("--online", help="Write every table's changes online (concurrent indexes, constraints validated later, …), as `online: true` does per table.")] = False,
    allow_rewrite: Annotated[bool, typer.Option("--allow-rewrite", help="Allow a change that rewrites an online table under an exclusive lock (a column type).")] = False,
    db_url: DbUrl = None,
) -> None:
    """Write the next migration: exactly the difference between the YAML and what the migrations build."""
    from ..planner import new_migration

    project = _project()
    written = new_migration(project, _target(project, db_url), name, empty, allow_data_loss, online, allow_rewrite)
    if written is None:
        out.print("no changes: the migrations already build the YAML")
        return
    for path in (*written.before, written.path):
        out.print(f"[green]wrote[/] {display_path(path, project.root)}")
    if written.before:
        out.print("  (the enum values first, in a migration of their own: every runner that runs a file in one transaction can run both)", highlight=False)
    if written.hazards:
        table = Table("operation", "hazard", title="review before shipping")
        for key, hazard in written.hazards:
            table.add_row(key, hazard)
        out.print(table)


@app.command("diff")
def diff_command(
    format: Format = "table",
    db_url: DbUrl = None,
) -> None:
    """The difference between the live database and the YAML, as SQL and as a summary; exit 1 when they differ."""
    from ..errors import UnsupportedChangeError
    from ..planner import live_diff
    from ..render import render_migration

    project = _project()
    as_json = _json(format)
    target = _target(project, db_url)
    plan = live_diff(project, target).plan
    if as_json:
        _print_json({
            "target": target.display, "differs": not plan.empty,
            "sql": render_migration(plan.ops, "diff", f"{target.display} → the YAML") if plan.ops else None,
            "changes": [{"change": op.key, "hazard": op.hazard, "loses_data": op.loses_data, "origin": op.origin} for op in plan.ops],
            "unsupported": list(plan.unsupported),
        })
        if not plan.empty:
            raise typer.Exit(1)
        return
    if plan.empty:
        out.print(f"[green]no differences[/]: {target.display} matches the YAML")
        return
    if plan.ops:
        out.print(render_migration(plan.ops, "diff", f"{target.display} → the YAML"), highlight=False, markup=False)
        table = Table("change", "hazard", title=f"{target.display} differs from the YAML")
        for op in plan.ops:
            table.add_row(op.key, ("[red]loses data[/] " if op.loses_data else "") + (op.hazard or ""))
        out.print(table)
    if plan.unsupported:
        err.print(UnsupportedChangeError(list(plan.unsupported)).render(), highlight=False, markup=False)
    raise typer.Exit(1)


@app.command()
def reset(
    yes: Annotated[bool, typer.Option("--yes", help="Confirm resetting a database that is not the local one.")] = False,
    no_seed: Annotated[bool, typer.Option("--no-seed", help="Do not load seeds.")] = False,
    db_url: DbUrl = None,
) -> None:
    """Drop and rebuild the database: every migration in order, then the seeds. A database
    holding the real platform (hosted Supabase), or one this role may not drop, is reset in
    place: what the project put there goes, the platform's own objects and rows stay."""
    from .. import db, seed as seeds, target as targets
    from ..migrations import list_migrations

    project = _project()
    target = _target(project, db_url)
    if not target.is_local and not yes:
        raise ConfirmationRequired(f"reset would drop and rebuild {target.display}\n  hint: add --yes to confirm")
    started = time.perf_counter()
    migrations = list_migrations(project.migrations_dir)
    seed_files = seeds.list_seeds(project.seeds_dir)
    in_place: str | None = None
    with targets.one_reset_at_a_time(target) as session:
        old = None
        if target.is_local:  # always dropped and re-created (a clone of the migrated template)
            old = targets.reset(target, migrations)
        else:
            from .. import inplace

            in_place = inplace.reset(target, migrations, seed_files)
        if in_place:
            out.print(f"reset in place ({in_place}): removed what the project put there, kept the platform's own", highlight=False)
        seeded = []
        try:
            with db.connection(target.url) as conn:
                if not no_seed:
                    seeded = seeds.load(conn, seed_files, project.root)
                elapsed = time.perf_counter() - started
                out.print(f"reset {target.display}: {len(migrations)} migration(s), {len(seeded)} seed file(s) in {elapsed:.2f}s")
                _print_summary(conn)
        finally:
            targets.after_reset(target, migrations, session, old)


def _print_summary(conn) -> None:  # type: ignore[no-untyped-def]
    from ..summary import summary

    table = Table("schema", "tables", "policies", "functions", "rows")
    for name, tables, policies, functions, rows in summary(conn):
        table.add_row(name, str(tables), str(policies), str(functions), str(rows))
    out.print(table)


@app.command()
def seed(
    changed: Annotated[bool, typer.Option("--changed", help="Only seed files that changed (or are new) since they were loaded.")] = False,
    again: Annotated[bool, typer.Option("--again", help="Load every seed file, even ones this database already holds.")] = False,
    db_url: DbUrl = None,
) -> None:
    """Load the seed files into the current database (all in one transaction). A file it
    already holds unchanged is refused: `reset` starts over, `--changed` loads what changed."""
    from .. import db, seed as seeds

    project = _project()
    target = _target(project, db_url)
    with db.connection(target.url) as conn:
        loaded = seeds.load(conn, seeds.list_seeds(project.seeds_dir), project.root, only_changed=changed, again=again)
    out.print(f"seeded {target.display}: " + (", ".join(display_path(s.path, project.root) for s in loaded) or "nothing changed"))


@app.command()
def migrate(
    allow_out_of_order: Annotated[bool, typer.Option("--allow-out-of-order", help="Apply pending migrations older than the newest applied one (a branch merged late).")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the migrations that would run, and their SQL; change nothing.")] = False,
    baseline: Annotated[Optional[str], typer.Option("--baseline", metavar="VERSION", help="Mark every migration up to VERSION applied without running it (a database built before tickets-db).")] = None,
    format: Format = "table",
    db_url: DbUrl = None,
) -> None:
    """Apply pending migrations without resetting (what CI and deploys run). Where the database
    has the Supabase CLI's history, what `supabase db push` applied counts as applied, and what
    this applies is recorded there too."""
    from .. import db, platform
    from ..migrations import list_migrations
    from ..runner import baseline as mark_baseline, locked, migrate as run, to_apply

    project = _project()
    target = _target(project, db_url)
    migrations = list_migrations(project.migrations_dir)
    as_json = _json(format)
    if baseline is not None:
        if baseline not in {m.version for m in migrations}:
            raise typer.BadParameter(f"no migration has the version {baseline}", param_hint="--baseline")
        with db.connection(target.url) as conn:
            marked = mark_baseline(conn, migrations, baseline)
        if as_json:
            _print_json({"target": target.display, "marked": [display_path(m.path, project.root) for m in marked]})
            return
        for m in marked:
            out.print(f"marked applied {display_path(m.path, project.root)} (not run)", highlight=False)
        out.print(f"{target.display}: {len(marked)} migration(s) up to {baseline} marked applied")
        return
    if dry_run:
        with db.connection(target.url) as conn:
            waiting = to_apply(conn, migrations, project.root, allow_out_of_order, project.migrations_dir)
        if as_json:
            _print_json({"target": target.display, "would_apply": [{"file": display_path(m.path, project.root), "sql": m.path.read_text(encoding="utf-8")} for m in waiting]})
            return
        for m in waiting:
            out.print(f"-- would apply {display_path(m.path, project.root)}", highlight=False, markup=False)
            out.print(m.path.read_text(encoding="utf-8").rstrip() + "\n", highlight=False, markup=False)
        out.print(f"-- {len(waiting)} migration(s) would run on {target.display}; nothing was changed", highlight=False, markup=False)
        return
    from ..lint.migrations import hazards

    with db.connection(target.url) as conn, locked(conn):  # the stand-in too: one run at a time
        installed = platform.ensure(conn)
        if installed and not as_json:
            out.print("installed the Supabase stand-in (auth, storage, roles)")
        # plain changes that will hold a big table's writes while they scan, build or rewrite
        warnings = [] if installed else [f for f in hazards(conn, migrations, project.root) if f.severity == "warning"]
        if not as_json:
            for f in warnings:
                err.print(f"[yellow]warning[/]: {f.message}\n  hint: {f.hint}", highlight=False)
        done = run(conn, migrations, project.root, allow_out_of_order, project.migrations_dir)
    if as_json:
        _print_json({"target": target.display, "installed_stand_in": installed, "warnings": [f.message for f in warnings],
                     "applied": [{"file": display_path(m.path, project.root), "version": m.version, "name": m.name, "ms": ms} for m, ms in done]})
        return
    for m, ms in done:
        out.print(f"[green]applied[/] {m.filename} ({ms} ms)")
    out.print(f"{target.display} is up to date ({len(done)} applied)")


@app.command()
def repair(
    versions: Annotated[list[str], typer.Argument(metavar="VERSION...", help="Migration versions, e.g. 20240104000000.")],
    status: Annotated[str, typer.Option("--status", help="applied: record them as run, without running them; reverted: remove their record, without undoing them.")],
    format: Format = "table",
    db_url: DbUrl = None,
) -> None:
    """Correct the migration history without running anything (as `supabase migration repair`):
    in tickets-db's history and, where the database has it, the Supabase CLI's."""
    from .. import db
    from ..migrations import list_migrations
    from ..runner import repair as fix

    if status not in ("applied", "reverted"):
        raise typer.BadParameter("is applied or reverted", param_hint="--status")
    project = _project()
    migrations = list_migrations(project.migrations_dir)
    unknown = [v for v in versions if v not in {m.version for m in migrations}]
    if status == "applied" and unknown:
        raise typer.BadParameter(f"no migration file has the version {', '.join(unknown)}", param_hint="VERSION")
    target = _target(project, db_url)
    with db.connection(target.url) as conn:
        changed = fix(conn, migrations, versions, status == "applied")
    if _json(format):
        _print_json({"target": target.display, "status": status, "changed": changed, "unchanged": [v for v in versions if v not in changed]})
        return
    for v in versions:
        out.print(f"{v}: " + (f"marked {status}" if v in changed else f"already {status}"), highlight=False)
    out.print(f"{target.display}: {len(changed)} record(s) changed; nothing was run")


@app.command()
def status(
    format: Format = "table",
    db_url: DbUrl = None,
) -> None:
    """Which migrations are applied and which are pending; exit 1 when an applied one was
    edited or its file is gone."""
    from .. import db
    from ..migrations import list_migrations
    from ..migrations import parse
    from ..runner import history, out_of_order, segments_done, supabase_history, verify_applied

    project = _project()
    target = _target(project, db_url)
    migrations = list_migrations(project.migrations_dir)
    with db.connection(target.url) as conn:
        applied = {a.version: a for a in history(conn)}
        theirs = {v: n for v, n in (supabase_history(conn) or {}).items() if v not in applied}  # only the Supabase CLI's
        partly = {m.version: done for m in migrations if m.version not in applied and (done := segments_done(conn, m.version))}
    late = {m.version for m in out_of_order(migrations, list(applied.values()))} - set(theirs)
    entries: list[dict[str, Any]] = []  # one per migration, and per applied one whose file is gone: what both formats show
    for m in migrations:
        a = applied.get(m.version)
        state = ("applied_by_supabase" if m.version in theirs else "partly_applied" if m.version in partly else "pending_out_of_order" if m.version in late else "pending") if a is None \
            else "edited" if a.checksum != m.checksum else "applied"
        entry: dict[str, Any] = {"version": m.version, "name": m.name, "status": state, "applied_at": str(a.applied_at) if a else None, "duration_ms": a.duration_ms if a else None}
        if state == "partly_applied":  # an online migration stopped halfway: `migrate` resumes it
            entry["segments"] = {"done": partly[m.version], "total": len(parse(m.path).segments)}
        entries.append(entry)
    known = {m.version for m in migrations}
    entries += [{"version": v, "name": a.name, "status": "file_missing", "applied_at": str(a.applied_at), "duration_ms": a.duration_ms}
                for v, a in applied.items() if v not in known]
    if _json(format):
        _print_json({"target": target.display, "migrations": entries})
        verify_applied(migrations, list(applied.values()), project.migrations_dir)
        return
    shown = {"applied": "[green]applied[/]", "applied_by_supabase": "[green]applied[/] (by the Supabase CLI)", "pending": "[yellow]pending[/]",
             "pending_out_of_order": "[yellow]pending, out of order[/]", "edited": "[red]edited after apply[/]", "file_missing": "[red]applied, file missing[/]",
             "partly_applied": "[yellow]partly applied[/]"}
    table = Table("version", "name", "status", "applied at", "ms")
    for e in entries:
        resumes = f" ({e['segments']['done']} of {e['segments']['total']} segments; `migrate` resumes it)" if "segments" in e else ""
        table.add_row(e["version"], e["name"], shown[e["status"]] + resumes, (e["applied_at"] or "")[:19], "" if e["duration_ms"] is None else str(e["duration_ms"]))
    out.print(table)
    verify_applied(migrations, list(applied.values()), project.migrations_dir)
    if late:
        err.print(f"[yellow]warning[/]: {len(late)} pending migration(s) older than the newest applied one: `migrate` refuses them without --allow-out-of-order")


@app.command("hash")
def hash_command() -> None:
    """Rewrite migrations/tickets-db.sum from the files (after resolving a merge of two
    branches that each added a migration; review the migrations first)."""
    from ..errors import ConfigError
    from ..migrations import SUM_FILE, check_sum, write_sum

    project = _project()
    if not project.migrations_dir.is_dir():
        raise ConfigError(f"no migrations folder at {display_path(project.migrations_dir, project.root)}\n  hint: `tickets-db new NAME` writes the first migration")
    stale = check_sum(project.migrations_dir, project.sum_file)
    write_sum(project.migrations_dir, project.sum_file)
    shown = display_path(project.sum_file or project.migrations_dir / SUM_FILE, project.root)
    out.print(f"[green]wrote[/] {shown}" if stale else f"{shown} already matches the migration files")


@app.command()
def typegen(
    from_db: Annotated[bool, typer.Option("--from-db", help="Read the live database (--db-url / $DATABASE_URL / the local one) instead of the YAML.")] = False,
    schema: Annotated[Optional[list[str]], typer.Option("--schema", help="With --from-db: a schema to read (repeatable); default: the YAML's schemas.")] = None,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 when the file on disk is stale.")] = False,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Where to write; default: typegen_output in tickets-db.toml.")] = None,
    db_url: DbUrl = None,
) -> None:
    """Write the typed Python models (dataclasses, StrEnums, function wrappers) of the schema."""
    from ..authored import authored_catalog, models_of, stale_models
    from ..typegen import write

    project = _project()
    if from_db:
        from ..planner import models

        text = models(project, _target(project, db_url), tuple(schema or ()))
    else:
        text = models_of(authored_catalog(project), project)
    path = (output or project.typegen_output).resolve()
    shown = display_path(path, project.root)
    if check:
        stale = stale_models(project, text, path)
        if stale:
            err.print(f"[red]✗[/] {stale}")
            raise typer.Exit(1)
        out.print(f"[green]ok[/]: {shown} is current")
        return
    changed = write(path, text)
    out.print(f"[green]wrote[/] {shown}" if changed else f"{shown} is already current")


@app.command()
def pull(
    db_url: Annotated[Optional[str], typer.Option("--db-url", help="The database to read; default: the global --db-url / $DATABASE_URL / the local one.")] = None,
    schema: Annotated[Optional[list[str]], typer.Option("--schema", help="A schema to pull (repeatable); default: all the database's own.")] = None,
    rows: Annotated[Optional[list[str]], typer.Option("--rows", help="A table whose rows are reference rows to keep in the YAML (repeatable), e.g. public.role_permissions.")] = None,
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="Folder for the YAML; default: the project's schema folder.")] = None,
    format: Format = "table",
) -> None:
    """Write the YAML of an existing database: one file per schema; platform objects referenced,
    not copied; what the YAML cannot express listed and kept as raw SQL that `new` applies."""
    from ..pull import RAW_FILE, counts, pull as pull_schema

    project = _project()
    as_json = _json(format)
    target = _target(project, db_url)
    folder = (out_dir or project.schema_dir).resolve()
    pulled, written = pull_schema(target.url, folder, tuple(schema or ()), tuple(rows or ()))
    if as_json:
        keys = ("tables", "views", "functions", "policies", "triggers")
        _print_json({
            "target": target.display,
            "files": [{"file": display_path(folder / name, project.root)} | dict(zip(keys, numbers)) for name, *numbers in counts(pulled)],
            "removed": [display_path(p, project.root) for p in written.removed],
            "unsupported": [{"kind": u.kind, "name": u.name, "file": display_path(folder / RAW_FILE, project.root)} for u in pulled.unsupported],
        })
        return
    table = Table("file", "tables", "views", "functions", "policies", "triggers", title=f"pulled {target.display}")
    for name, *numbers in counts(pulled):
        table.add_row(display_path(folder / name, project.root), *map(str, numbers))
    out.print(table)
    for path in written.removed:
        out.print(f"removed {display_path(path, project.root)} (no longer in the database)")
    if pulled.unsupported:
        raw = display_path(folder / RAW_FILE, project.root)
        err.print(f"[yellow]warning[/]: {len(pulled.unsupported)} object(s) the YAML cannot express yet, kept as SQL in {raw} (`tickets-db new` applies it after the generated migration):")
        for u in pulled.unsupported:
            err.print(f"  {u.kind} {u.name}", highlight=False, markup=False)


@app.command()
def lint(
    from_db: Annotated[bool, typer.Option("--from-db", help="Lint the live database (and its pending migrations) instead of the YAML.")] = False,
    format: Format = "table",
    rules: Annotated[bool, typer.Option("--rules", help="List the rules and exit.")] = False,
    bodies: Annotated[bool, typer.Option("--bodies", help="Also check PL/pgSQL bodies with plpgsql_check (in a throwaway database built from the migrations).")] = False,
    db_url: DbUrl = None,
) -> None:
    """Security and performance lint (RLS, policies, grants, functions, indexes, migration hazards).
    Exit 1 when an error is found; justify exceptions in the YAML with `lint_ignore`."""
    import json

    from ..lint import rule_table
    from ..lint.project import run

    _json(format)
    if rules:
        table = Table("rule", "severity", "what", "why it matters", "fix", title="tickets-db lint rules")
        for row in rule_table():
            table.add_row(*row)
        out.print(table)
        return
    project = _project()
    target = _target(project, db_url) if from_db or bodies else None
    findings = run(project, target if from_db else None, target if bodies else None)
    errors = sum(f.severity == "error" for f in findings)
    if format == "json":
        out.print_json(json.dumps([f.as_dict() for f in findings]))
    else:
        colour = {"error": "red", "warning": "yellow", "info": "cyan"}
        for f in findings:
            at = f"  [dim]{f.origin}[/]" if f.origin else ""
            out.print(f"[{colour[f.severity]}]{f.severity}[/] [bold]{f.rule}[/] {f.object}{at}", highlight=False)
            out.print(f"  {f.message}\n  [dim]fix:[/] {f.hint}", highlight=False)
    if format == "table":
        out.print(f"{errors} error(s), {len(findings) - errors} warning(s)" if findings else "[green]ok[/]: no findings")
    if errors:
        raise typer.Exit(1)


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="SQL to run (several statements: the last one's rows are shown).")],
    as_user: Annotated[Optional[str], typer.Option("--as", help="Act as this user of auth.users (email or id), role authenticated.")] = None,
    anon: Annotated[bool, typer.Option("--anon", help="Act as an anonymous caller (role anon).")] = False,
    service_role: Annotated[bool, typer.Option("--service-role", help="Act as the service role (bypasses RLS).")] = False,
    rollback: Annotated[bool, typer.Option("--rollback", help="Roll back instead of committing.")] = False,
    db_url: DbUrl = None,
) -> None:
    """Run SQL as a user, anon or the service role: their role and JWT claims, as PostgREST does."""
    from .. import db, identity

    if sum(bool(x) for x in (as_user, anon, service_role)) > 1:
        raise typer.BadParameter("give one of --as, --anon, --service-role")
    project = _project()
    target = _target(project, db_url)
    with db.connection(target.url) as conn:
        who = identity.user(conn, as_user) if as_user else identity.anon() if anon else identity.service_role() if service_role else None
        result = identity.run(conn, who, query, commit=not rollback)
    if result.columns:
        table = Table(*result.columns, title=f"as {who.label if who else 'postgres (the migration role)'}")
        for row in result.rows:
            table.add_row(*("null" if v is None else str(v) for v in row))
        out.print(table)
    out.print(f"{result.status}{' (rolled back)' if rollback else ''}", highlight=False)


@app.command()
def policies(
    from_db: Annotated[bool, typer.Option("--from-db", help="Read the live database instead of the YAML.")] = False,
    format: Format = "table",
    db_url: DbUrl = None,
) -> None:
    """The policy matrix: per table, command and API role, which policies decide what a caller sees."""
    from ..authored import authored_catalog
    from ..policies import ROLES, matrix

    project = _project()
    as_json = _json(format)
    if from_db:
        from ..planner import project_catalog

        catalog = project_catalog(project, _target(project, db_url))
    else:
        catalog = authored_catalog(project)
    if as_json:
        _print_json([
            {"table": line.table, "command": line.command,
             "roles": {role: {"verdict": c.verdict, "policies": list(c.policies), "restrictive": list(c.restrictive), "why": c.why or None} for role, c in zip(ROLES, line.cells)}}
            for line in matrix(catalog)
        ])
        return
    table = Table("table", "command", *ROLES, title="who gets which rows (policies are OR-ed; 'and' marks restrictive ones)")
    shown = {"no grant": "[dim]no grant[/]", "none": "[dim]no rows[/]"}
    for line in matrix(catalog):
        cells = []
        for c in line.cells:
            if c.verdict == "all":
                cells.append(f"[yellow]all rows[/] [dim]({c.why})[/]")
            elif c.verdict == "policies":
                cells.append("[green]" + ", ".join(c.policies) + "[/]" + "".join(f" and {r}" for r in c.restrictive))
            else:
                cells.append(shown[c.verdict])
        table.add_row(line.table, line.command, *cells)
    out.print(table)


@app.command("test")
def test_command(
    files: Annotated[Optional[list[Path]], typer.Argument(help="pgTAP files; default: every *.test.sql in the tests folder, else every *.sql under it (a Supabase project's tests, run in one database).")] = None,
    seed: Annotated[bool, typer.Option("--seed", help="Load the seeds into each test database first.")] = False,
    format: Format = "table",
    db_url: DbUrl = None,
) -> None:
    """Run the pgTAP tests in fresh databases built from the migrations: each *.test.sql file in
    its own; a Supabase project's *.sql files in one, in order (a helper file prepares the rest)."""
    from .. import pgtap
    from ..migrations import list_migrations
    from ..seed import list_seeds

    project = _project()
    chosen = [p.resolve() for p in files] if files else pgtap.list_tests(project.tests_dir)
    missing = [str(p) for p in chosen if not p.is_file()]
    if missing:
        raise typer.BadParameter(f"no such file: {', '.join(missing)}")
    if not chosen:
        err.print(f"no *.test.sql or *.sql files in {display_path(project.tests_dir, project.root)}")
        raise typer.Exit(1)
    as_json = _json(format)
    target = _target(project, db_url)
    results = pgtap.run(target, list_migrations(project.migrations_dir), chosen, project.root, list_seeds(project.seeds_dir) if seed else None)
    if as_json:
        _print_json({
            "passed": all(r.passed for r in results),
            "files": [{"file": r.display, "passed": r.passed, "tests": len(r.assertions), "failed": len(r.failed), "seconds": round(r.seconds, 3),
                       "problem": r.problem or None,
                       "failures": [{"number": a.number, "description": a.description, "diagnostics": list(a.diagnostics)} for a in r.failed]}
                      for r in results],
        })
        if not all(r.passed for r in results):
            raise typer.Exit(1)
        return
    table = Table("file", "tests", "passed", "failed", "s", title="pgTAP")
    for r in results:
        ok = sum(a.ok for a in r.assertions)
        mark = "[green]✓[/]" if r.passed else "[red]✗[/]"
        table.add_row(f"{mark} {r.display}", str(len(r.assertions)), str(ok), str(len(r.failed)), f"{r.seconds:.2f}")
    out.print(table)
    for r in results:
        for a in r.failed:
            out.print(f"[red]not ok {a.number}[/] {r.display}: {a.description}", highlight=False)
            for d in a.diagnostics:
                out.print(f"    {d}", highlight=False)
        if r.problem and not r.failed:
            out.print(f"[red]✗[/] {r.problem if r.error else r.display + ': ' + r.problem}", highlight=False)
    failed = [r for r in results if not r.passed]
    total = sum(len(r.assertions) for r in results)
    out.print(f"{len(results)} file(s), {total} test(s): " + (f"[red]{len(failed)} file(s) failed[/]" if failed else "[green]all passed[/]"))
    if failed:
        raise typer.Exit(1)


@app.command()
def check(
    format: Format = "table",
    db_url: DbUrl = None,
) -> None:
    """CI gate: fail when the migrations do not build the YAML, were edited by hand, or the
    generated models are stale."""
    from ..planner import check as run_check

    project = _project()
    as_json = _json(format)
    problems = run_check(project, _target(project, db_url))
    if as_json:
        _print_json({"ok": not problems, "problems": problems})
        if problems:
            raise typer.Exit(1)
        return
    if problems:
        for p in problems:
            err.print(f"[red]✗[/] {p}")
        raise typer.Exit(1)
    out.print("[green]ok[/]: the migrations build exactly the YAML, the sum file matches, the models are current")


@app.command("json-schema")
def json_schema_command() -> None:
    """Print the JSON Schema of the YAML language, for editor completion and checking."""
    import json

    from ..loader.spec import json_schema

    print(json.dumps(json_schema(), indent=2))


@app.command()
def init(
    folder: Annotated[Optional[Path], typer.Argument(help="The folder to make a project; default: --project-dir, else the current one.")] = None,
) -> None:
    """Make a folder a tickets-db project: tickets-db.toml (every setting, commented) and the
    schema/, migrations/ and seeds/ folders. Nothing is overwritten."""
    from ..config import init_project

    root = (folder or state.project_dir or Path.cwd()).resolve()
    created = init_project(root)
    for path in created:
        out.print(f"[green]created[/] {display_path(path, Path.cwd().resolve())}")
    out.print(f"{display_path(root, Path.cwd().resolve()) or '.'} is a tickets-db project" + ("" if created else " already: nothing to do"))


@app.command()
def start() -> None:
    """Start the embedded local database (idempotent)."""
    from ..localdb import Cluster

    project = _project()
    cluster = Cluster(project.local_dir)
    started = cluster.start()
    out.print(("started" if started else "already running") + f": {cluster.url(project.database)}")


@app.command()
def stop() -> None:
    """Stop the embedded local database."""
    from ..localdb import Cluster

    project = _project()
    stopped = Cluster(project.local_dir).stop()
    out.print("stopped" if stopped else "not running")


def main() -> None:
    """Console entry point: typed errors become one message and an exit code, never a traceback.
    Usage errors are Typer's (exit 2)."""
    # A command is a short process that builds large object graphs (a 1000-table catalog is
    # ~10^6 objects) and frees them on exit: the cyclic collector's repeated full passes cost
    # more than everything else (3x on loading such a schema). Collect rarely instead.
    gc.set_threshold(200_000, 50, 1_000)
    for console in (out, err):
        if not console.is_terminal:  # piped or captured: whole names, never cut to 80 columns
            console.width = 100_000
    remember_environment()
    try:
        app()
    except TicketsDbError as e:
        err.print("error: " + e.render(), highlight=False, markup=False)
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as e:  # the last resort: one line, the traceback only when asked
        sys.exit(_unexpected(e))


def _unexpected(e: Exception) -> int:
    """Report an error nothing else reported. A database that went away, or refused something
    the tool did not expect it to refuse, is a database failure (exit 1); a file that cannot be
    written is one too; anything else is a defect of tickets-db (exit 4)."""
    import traceback

    debug = state.debug or "--debug" in sys.argv or os.environ.get(DEBUG_ENV, "") not in ("", "0")
    if debug:
        err.print("".join(traceback.format_exception(e)), highlight=False, markup=False, end="")
    psycopg = sys.modules.get("psycopg")
    if psycopg is not None and isinstance(e, psycopg.Error):
        diag = getattr(e, "diag", None)
        message = (getattr(diag, "message_primary", None) or str(e).strip() or type(e).__name__).strip()
        lost = isinstance(e, psycopg.OperationalError) or getattr(e, "sqlstate", "") in ("57P01", "57P02", "57P03")
        what = "the database connection was lost" if lost else "the database refused"
        err.print(f"error: {what}: {message}" + ("" if debug else "\n  hint: run again with --debug for the details"), highlight=False, markup=False)
        return 1
    if isinstance(e, OSError):
        where = f" {e.filename}" if e.filename else ""
        err.print(f"error: cannot use{where}: {e.strerror or e}", highlight=False, markup=False)
        return 1
    frame = traceback.extract_tb(e.__traceback__)[-1] if e.__traceback__ else None
    at = f" (at {Path(frame.filename).name}:{frame.lineno} in {frame.name})" if frame else ""
    message = str(e).strip().splitlines()[0] if str(e).strip() else ""
    err.print(f"error: unexpected {type(e).__name__}{': ' + message if message else ''}{at}"
              + ("" if debug else f"\n  hint: this is a defect of tickets-db; run again with --debug (or {DEBUG_ENV}=1) for the traceback, and please report it"),
              highlight=False, markup=False)
    return 4
