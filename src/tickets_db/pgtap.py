"""`tickets-db test`: pgTAP files from tests/database/ against fresh databases built from the
migrations. Each `*.test.sql` file gets its own clone of a test template (the migrated template
plus pgTAP and the helpers), so files cannot leak into each other and may even commit. A
Supabase project's tests (plain `*.sql`, as `supabase test db` runs them) may depend on each
other — a helper file makes what later files use — so they run in one database, in path order.
Statements run over one connection; their single-column results are the TAP stream."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from . import db
from .config import display_path
from .migrations import Migration, checksum, split_statements
from .resources import templates_dir
from .target import Target, random_suffix
from .textfile import read_utf8

from .runner import execute
from .seed import SeedFile

TAP_LINE = re.compile(r"^(not )?ok (\d+)(?: - (.*))?$")
PLAN = re.compile(r"^1\.\.(\d+)")
SEARCH_PATH = '"$user", public, extensions'
SETUP = "setup.sql"
TEST_SUFFIX = ".test.sql"
BASEJUMP_ON = "do $$ begin perform set_config('tests.basejump', 'on', false); end $$"
# basejump's helpers as Supabase projects install them (from database.dev). The test template's
# helpers are the same API; the statement switches on basejump's behaviour where it differs
# (clear_authentication leaves anon) for the rest of the file's session.
BASEJUMP = re.compile(r'^\s*create\s+extension\s+(?:if\s+not\s+exists\s+)?"?(?:basejump-)?supabase_test_helpers"?(?:\s|;|$)', re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Assertion:
    number: int
    ok: bool
    description: str
    diagnostics: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FileResult:
    path: Path
    planned: int | None
    assertions: tuple[Assertion, ...]
    error: str | None = None
    seconds: float = 0.0
    display: str = field(default="", compare=False)
    helper: bool = False  # a shared-database file with no TAP output: it prepares later files

    @property
    def failed(self) -> list[Assertion]:
        return [a for a in self.assertions if not a.ok]

    @property
    def passed(self) -> bool:
        if self.helper and self.error is None and not self.assertions and self.planned is None:
            return True
        complete = self.planned is None or self.planned == len(self.assertions)
        return self.error is None and not self.failed and complete and bool(self.assertions)

    @property
    def problem(self) -> str | None:
        if self.helper and self.passed:
            return None
        if self.error:
            return self.error
        if not self.assertions:
            return "no assertions ran"
        if self.planned is not None and self.planned != len(self.assertions):
            return f"planned {self.planned} tests but ran {len(self.assertions)}"
        return None


def list_tests(directory: Path) -> list[Path]:
    """The folder's `*.test.sql` files; failing those, every `*.sql` under it (a Supabase
    project's supabase/tests), in path order as pg_prove runs them."""
    if not directory.is_dir():
        return []
    own = sorted(directory.glob(f"*{TEST_SUFFIX}"))
    return own or sorted((p for p in directory.rglob("*.sql") if p.name != SETUP), key=lambda p: p.relative_to(directory).parts)


def shared(files: list[Path]) -> bool:
    """Whether the files run in one database: Supabase-style files (not `*.test.sql`)."""
    return any(not p.name.endswith(TEST_SUFFIX) for p in files)


def helpers_sql() -> str:
    return (templates_dir() / "pgtap" / "helpers.sql").read_text()


def parse_tap(lines: list[str]) -> tuple[int | None, list[Assertion]]:
    planned: int | None = None
    out: list[Assertion] = []
    for line in lines:
        for raw in line.splitlines():
            if m := PLAN.match(raw):
                planned = int(m.group(1))
            elif m := TAP_LINE.match(raw):
                out.append(Assertion(int(m.group(2)), m.group(1) is None, m.group(3) or ""))
            elif raw.startswith("#") and out:
                last = out[-1]
                out[-1] = Assertion(last.number, last.ok, last.description, (*last.diagnostics, raw.lstrip("# ").rstrip()))
    return planned, out


def test_template(target: Target, migrations: list[Migration]) -> str:
    """The migrated template plus pgTAP and the helpers, built once per migrations + helpers."""
    with db.connection(target.admin_url()) as conn:
        base = target.migrated_template(migrations, conn)
        name = f"{base}_tap{checksum(helpers_sql().encode())[:6]}"
        if db.database_exists(conn, name):
            return name
    target.build_template(name, base, lambda database: _install(target, database), replaces=f"{base}_tap")  # older helpers
    return name


def _install(target: Target, database: str) -> None:
    """pgTAP is not a trusted extension: the local cluster's superuser creates it; on another
    server the URL's role must be allowed to (a superuser, or Supabase's postgres)."""
    url = target.cluster.url(database, "supabase_admin") if target.cluster is not None else target.url_for(database)
    with db.connection(url) as conn:
        db.create_extension(conn, "pgtap", "postgresql-15-pgtap")
        conn.execute(helpers_sql())


def run_file(url: str, path: Path, root: Path | None = None, helper: bool = False) -> FileResult:
    shown = display_path(path, root)
    started = time.perf_counter()
    lines: list[str] = []
    error = None
    with db.connection(url) as conn:
        conn.execute("select set_config('search_path', %s, false)", (SEARCH_PATH,))
        for st in split_statements(read_utf8(path, shown)):
            try:
                cur = conn.execute(BASEJUMP_ON if BASEJUMP.match(st.text) else st.text)
            except psycopg.Error as e:
                error = f"{shown}:{st.line}: {(e.diag.message_primary or str(e)).strip()}"
                break
            if cur.description is not None and len(cur.description) == 1:
                lines.extend(str(r[0]) for r in cur.fetchall() if r[0] is not None)
    planned, assertions = parse_tap(lines)
    return FileResult(path, planned, tuple(assertions), error, time.perf_counter() - started, shown, helper and not lines)


def run_setup(conn: psycopg.Connection, folder: Path, root: Path | None = None) -> None:
    """The folder's setup.sql (the data every test file acts on), in one transaction."""
    setup = folder / SETUP
    if setup.is_file():
        shown = display_path(setup, root)
        with conn.transaction():
            for st in split_statements(read_utf8(setup, shown)):
                execute(conn, st, shown)


def run(target: Target, migrations: list[Migration], files: list[Path], root: Path | None = None, seeds: list[SeedFile] | None = None) -> list[FileResult]:
    """Each `*.test.sql` file in its own database — the test template, then the seeds when
    asked, then the folder's `setup.sql` when there is one (the data every file acts on), then the
    file; Supabase-style files all in one such database, one session each, in order."""
    template = test_template(target, migrations)
    if shared(files):
        return _in_one_database(target, template, files, root, seeds)
    results = []
    for path in files:
        results += _in_one_database(target, template, [path], root, seeds)
    return results


def _in_one_database(target: Target, template: str, files: list[Path], root: Path | None, seeds: list[SeedFile] | None) -> list[FileResult]:
    from .seed import load as load_seeds

    name = f"tdb_test_{random_suffix(10)}"
    with db.connection(target.admin_url()) as conn:
        db.create_database(conn, name, template=template)
    try:
        if seeds:
            with db.connection(target.url_for(name)) as conn:
                load_seeds(conn, seeds, root)
        with db.connection(target.url_for(name)) as conn:
            run_setup(conn, files[0].parent, root)
        return [run_file(target.url_for(name), path, root, helper=len(files) > 1) for path in files]
    finally:
        with db.connection(target.admin_url()) as conn:
            db.drop_database(conn, name)
