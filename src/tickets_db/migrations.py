"""Migration files: naming, listing, checksums, and splitting into statements and segments.

A file is one transaction, unless `-- tickets-db: autocommit` and `-- tickets-db: transaction`
lines cut it into segments, run in order: an autocommit segment's statements (enum value adds,
`create index concurrently`, a batched backfill) each commit on their own, a transaction
segment commits as one. An online migration (`-- tickets-db: online lock_timeout=1s retries=10`
at the top) runs every segment under that lock timeout, retried, and resumes after the last
segment that committed. A hand-written BEGIN/COMMIT is an error, never a warning: it would
silently split the migration."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .errors import MigrationError
from .lexer import Token, tokens
from .textfile import read_utf8, write_atomic

# What the Supabase CLI accepts (`<digits>_<name>.sql`, any name): a Supabase project's folder as it is.
NAME = re.compile(r"^(\d+)_(.+)\.sql$")
MARKER = re.compile(r"^--\s*tickets-db:\s*(autocommit|transaction)\s*$", re.I)
ONLINE = re.compile(r"^--\s*tickets-db:\s*online\b(.*)$", re.I)
SETTING = re.compile(r"(lock_timeout|retries)\s*=\s*(\d+)\s*(ms|s)?", re.I)
TX_CONTROL = re.compile(r"^\s*(begin|commit|rollback|end|start\s+transaction|abort|savepoint|release)\b", re.I)
NEEDS_AUTOCOMMIT = re.compile(r"^\s*(create\s+(unique\s+)?index\s+concurrently|drop\s+index\s+concurrently|vacuum|reindex\s+.*concurrently)", re.I | re.S)
# Since PostgreSQL 12 a value may be added in a transaction, but not used in the same one.
ADD_VALUE = re.compile(r"^\s*alter\s+type\s+.+?\s+add\s+value\s+(?:if\s+not\s+exists\s+)?'((?:[^']|'')*)'", re.I | re.S)
SUM_FILE = "tickets-db.sum"
LOCK_TIMEOUT_MS, RETRIES = 1000, 10  # an online migration's defaults


@dataclass(frozen=True, slots=True)
class Statement:
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Migration:
    path: Path
    version: str
    name: str
    checksum: str

    @property
    def filename(self) -> str:
        return self.path.name


@dataclass(frozen=True, slots=True)
class Segment:
    autocommit: bool  # each statement commits on its own; else the segment is one transaction
    statements: tuple[Statement, ...]


@dataclass(frozen=True, slots=True)
class Online:
    """How an online migration waits for locks: each statement gives up after `lock_timeout_ms`
    rather than queue ahead of the application's writes, and its segment is tried again."""

    lock_timeout_ms: int = 1000  # LOCK_TIMEOUT_MS
    retries: int = 10  # RETRIES


@dataclass(frozen=True, slots=True)
class Parsed:
    segments: tuple[Segment, ...]
    online: Online | None = None

    @property
    def statements(self) -> tuple[Statement, ...]:
        return tuple(st for s in self.segments for st in s.statements)

    @property
    def autocommit(self) -> tuple[Statement, ...]:
        return tuple(st for s in self.segments if s.autocommit for st in s.statements)

    @property
    def transactional(self) -> tuple[Statement, ...]:
        return tuple(st for s in self.segments if not s.autocommit for st in s.statements)


def split_statements(text: str) -> list[Statement]:
    """Split SQL on top-level semicolons, as PostgreSQL's scanner reads quotes, dollar quotes,
    names and comments (see lexer); comments between statements are left out. As psql does, a
    BEGIN or CASE that is not a statement's first word opens a block its END closes, so a
    `begin atomic … end` function body is one statement."""
    out: list[Statement] = []
    begin: Token | None = None
    last = 0
    words = depth = 0
    for t in tokens(text):
        if t.kind in ("space", "comment") and begin is None:
            continue
        if begin is None:
            begin = t
        if t.kind == "name":
            words += 1
            word = t.text.lower()
            if word in ("begin", "case") and words > 1:
                depth += 1
            elif word == "end" and depth > 0:
                depth -= 1
        if t.kind == "punct" and t.text == ";" and depth == 0:
            out.append(Statement(text[begin.start : t.start + 1].strip(), begin.line))
            begin = None
            words = 0
        elif t.kind not in ("space", "comment"):
            last = t.start + len(t.text)
    if begin is not None:
        out.append(Statement(text[begin.start : last].strip(), begin.line))
    return out


def refuse_transaction_control(st: Statement, file: str, why: str) -> None:
    """A hand-written BEGIN/COMMIT/ROLLBACK would end the transaction the tool runs the file
    in: what follows it would no longer be undone on failure."""
    if TX_CONTROL.match(st.text):
        raise MigrationError(file, st.line, f"hand-written transaction control `{st.text.split()[0].upper()}`", st.text, f"remove it: {why}")


def parse(path: Path, text: str | None = None) -> Parsed:
    """Statements of a migration, in its segments, refusing what would break atomicity."""
    text = read_utf8(path) if text is None else text
    markers: list[tuple[bool, int]] = []
    online: Online | None = None
    for no, raw in enumerate(text.splitlines(), 1):
        if m := MARKER.match(raw.strip()):
            markers.append((m.group(1).lower() == "autocommit", no))
        elif m := ONLINE.match(raw.strip()):
            online = _online(m.group(1), str(path), no)
    segments: list[tuple[bool, int, list[Statement]]] = []  # (autocommit, the marker's line, statements)
    for st in split_statements(text):
        autocommit, since = next(((a, no) for a, no in reversed(markers) if no < st.line), (False, 0))
        refuse_transaction_control(st, str(path), "each migration already runs in one transaction; statements that cannot (enum value adds, create index concurrently) go under a `-- tickets-db: autocommit` line")
        if not autocommit and NEEDS_AUTOCOMMIT.match(st.text):
            raise MigrationError(
                str(path), st.line, "this statement cannot share the migration's transaction", st.text,
                "put it under a `-- tickets-db: autocommit` line (and make it idempotent: `add value if not exists`, `if not exists`)",
            )
        if not segments or segments[-1][1] != since:
            segments.append((autocommit, since, []))
        segments[-1][2].append(st)
    for autocommit, _, statements in segments:
        if not autocommit:
            _refuse_new_values_used(statements, str(path))
    return Parsed(tuple(Segment(a, tuple(s)) for a, _, s in segments), online)


def _online(settings: str, file: str, line: int) -> Online:
    values = {k.lower(): int(n) * (1000 if (unit or "").lower() == "s" else 1) if k.lower() == "lock_timeout" else int(n)
              for k, n, unit in SETTING.findall(settings)}
    if settings.strip() and not values:
        raise MigrationError(file, line, f"cannot read the online settings `{settings.strip()}`", hint="write e.g. `-- tickets-db: online lock_timeout=1s retries=10`")
    return Online(values.get("lock_timeout", LOCK_TIMEOUT_MS), values.get("retries", RETRIES))


def _refuse_new_values_used(statements: list[Statement], file: str) -> None:
    """An enum value added in the transaction and used in it: PostgreSQL refuses that (`unsafe
    use of new value`) when it gets there; said here first, with the way out."""
    added: dict[str, Statement] = {}
    for st in statements:
        m = ADD_VALUE.match(st.text)
        if m:
            added[m.group(1).replace("''", "'")] = st
            continue
        if not added:  # nothing added yet to be used: most files, which then need no second lexing
            continue
        for t in tokens(st.text):
            value = t.text[1:-1].replace("''", "'") if t.kind == "string" else None
            if value in added:
                raise MigrationError(
                    file, added[value].line, f"the enum value '{value}' is added and used (line {st.line}) in one transaction: PostgreSQL refuses that",
                    added[value].text, "put the value add under a `-- tickets-db: autocommit` line at the top of the file, or in a migration of its own before this one")


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def list_migrations(directory: Path) -> list[Migration]:
    if not directory.is_dir():
        return []
    out = []
    for p in sorted(directory.glob("*.sql")):
        m = NAME.match(p.name)
        if not m:
            raise MigrationError(str(p), None, "migration file names are <version digits>_<name>.sql (as the Supabase CLI takes them)", hint="rename it, e.g. 20261125120000_add_tickets.sql")
        out.append(Migration(p, m.group(1), m.group(2), checksum(p.read_bytes())))
    versions = [m.version for m in out]
    dupes = {v for v in versions if versions.count(v) > 1}
    if dupes:
        raise MigrationError(str(directory), None, f"two migrations share the version {', '.join(sorted(dupes))}", hint="give each a distinct timestamp")
    return out


def new_version(existing: list[Migration], now: datetime | None = None) -> str:
    version = (now or datetime.now(timezone.utc)).strftime("%Y%m%d%H%M%S")
    if existing and version <= existing[-1].version:
        version = str(int(existing[-1].version) + 1)
    return version


def slug(name: str) -> str:
    s = re.sub(r"[^a-z0-9_\-]+", "_", name.strip().lower()).strip("_-")
    if not s:
        raise MigrationError(name, None, "a migration needs a name made of letters, digits, - or _")
    return s


def sum_text(migrations: list[Migration]) -> str:
    """Like atlas.sum: one line per file plus a hash over all, so two branches that each add a
    migration conflict in git instead of silently interleaving."""
    lines = [f"{m.filename} {m.checksum}" for m in migrations]
    total = checksum("\n".join(lines).encode())
    return f"h1:{total}\n" + "".join(line + "\n" for line in lines)


def write_sum(directory: Path, path: Path | None = None) -> None:
    write_atomic(path or directory / SUM_FILE, sum_text(list_migrations(directory)))


def check_sum(directory: Path, path: Path | None = None) -> list[str]:
    """Problems with the sum file (default: in the folder; a Supabase project keeps it beside
    the folder, where the Supabase CLI does not read it) — empty when it matches the folder."""
    path = path or directory / SUM_FILE
    if not path.exists():
        return [f"{path} is missing: `tickets-db new` writes it with every migration"]
    if read_utf8(path) != sum_text(list_migrations(directory)):
        return [f"{path} does not match the migration files: a migration was added or edited by hand, or two branches that each added one were merged (review them, then `tickets-db hash` rewrites it)"]
    return []


def refuse_stale_sum(directory: Path, path: Path | None = None) -> None:
    """Before writing a migration: a sum file that no longer matches the folder means someone
    must look at the folder first (`new` would otherwise bless whatever is there)."""
    path = path or directory / SUM_FILE
    if path.exists() and check_sum(directory, path):
        raise MigrationError(str(path), None, "does not match the migration files (a migration added or edited by hand, or a merge of two branches that each added one)",
                             hint="review the migrations (git diff / git log), then `tickets-db hash` rewrites the sum")


RAW_MARK = "-- tickets-db: raw"


@dataclass(frozen=True, slots=True)
class RawSql:
    """A hand-written SQL file beside the YAML (what the YAML cannot express, such as what `pull`
    found): `new` puts it at the end of a migration when no migration holds this version of it."""

    path: str  # as shown, relative to the project root
    digest: str
    text: str

    @property
    def mark(self) -> str:
        return f"{RAW_MARK} {self.path} {self.digest}"


def raw_sql_files(schema_dir: Path, root: Path) -> list[RawSql]:
    if not schema_dir.is_dir():
        return []
    out = []
    for p in sorted(schema_dir.rglob("*.sql")):
        try:
            shown = str(p.relative_to(root))
        except ValueError:
            shown = str(p)
        out.append(RawSql(shown, checksum(p.read_bytes())[:16], read_utf8(p, shown)))
    return out


def pending_raw_sql(raw: list[RawSql], migrations: list[Migration]) -> list[RawSql]:
    """The raw files (in this version) no migration holds yet."""
    if not raw:
        return []
    held = "\n".join(m.path.read_text(encoding="utf-8", errors="replace") for m in migrations)
    return [r for r in raw if r.mark not in held]
