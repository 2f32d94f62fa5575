"""Seed files (seeds/*.sql, in name order) loaded after the migrations. All of them run in one
transaction, so a failing statement leaves the database as it was (a hand-written COMMIT, which
would break that, is refused). Each file's checksum is recorded: `seed` refuses to load a file
again that it already loaded unchanged (seeds are rarely written to run twice), and with
`--changed` loads only what changed since."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import psycopg

from .config import display_path
from .errors import MigrationError
from .migrations import checksum, refuse_transaction_control, split_statements
from .runner import ensure_history, execute
from .textfile import read_utf8


@dataclass(frozen=True, slots=True)
class SeedFile:
    path: Path
    checksum: str


class SeedsAlreadyLoaded(MigrationError):
    """`seed` on a database that holds these seed files already."""


def list_seeds(directory: Path) -> list[SeedFile]:
    """The folder's *.sql files in name order; `seeds` may also name one file (Supabase's seed.sql)."""
    if directory.is_file():
        return [SeedFile(directory, checksum(directory.read_bytes()))]
    if not directory.is_dir():
        return []
    return [SeedFile(p, checksum(p.read_bytes())) for p in sorted(directory.glob("*.sql"))]


def load(conn: psycopg.Connection, seeds: list[SeedFile], root: Path | None = None, only_changed: bool = False, again: bool = False) -> list[SeedFile]:
    """Load `seeds` (with `only_changed`, those not loaded in this version) in one transaction.
    Without either flag, a file already loaded unchanged is refused before anything runs."""
    conn.autocommit = True
    ensure_history(conn)
    recorded: dict[str, tuple[str, object]] = {f: (c, at) for f, c, at in conn.execute("select file, checksum, applied_at from tickets_db.seeds").fetchall()}
    todo = [s for s in seeds if not only_changed or recorded.get(s.path.name, ("", None))[0] != s.checksum]
    loaded = [s for s in todo if recorded.get(s.path.name, ("", None))[0] == s.checksum]
    if loaded and not (only_changed or again):
        first = loaded[0]
        raise SeedsAlreadyLoaded(
            display_path(first.path, root), None,
            f"already loaded into this database ({str(recorded[first.path.name][1])[:19]}), unchanged since" + (f", with {len(loaded) - 1} other seed file(s)" if len(loaded) > 1 else ""),
            hint="`tickets-db reset` starts over (migrations, then the seeds); `tickets-db seed --changed` loads only files changed since they were loaded",
        )
    texts = [(s, display_path(s.path, root), read_utf8(s.path, display_path(s.path, root))) for s in todo]
    statements = [(s, shown, split_statements(text)) for s, shown, text in texts]
    for _, shown, sts in statements:
        for st in sts:
            refuse_transaction_control(st, shown, "all seed files run in one transaction, so a failing seed changes nothing")
    with conn.transaction():
        for s, shown, sts in statements:
            try:
                for st in sts:
                    execute(conn, st, shown)
            except MigrationError as e:
                if s.path.name in recorded and e.hint is None:
                    e.hint = "this file was loaded into this database before and changed since: make it re-runnable (`on conflict do nothing`), or `tickets-db reset`"
                raise
            conn.execute(
                "insert into tickets_db.seeds (file, checksum) values (%s, %s) on conflict (file) do update set checksum = excluded.checksum, applied_at = now()",
                (s.path.name, s.checksum),
            )
        if todo:
            refresh_materialized_views(conn)
    return todo


def refresh_materialized_views(conn: psycopg.Connection) -> None:
    """What the seeds put in the tables reaches the materialized views: each refreshed after
    the ones it reads."""
    from graphlib import TopologicalSorter

    from psycopg import sql

    from .platform import PLATFORM_SCHEMAS, SUPABASE_SCHEMAS

    rows = conn.execute((Path(__file__).parent / "matviews.sql").read_text(), {"platform": sorted(PLATFORM_SCHEMAS | SUPABASE_SCHEMAS)}).fetchall()
    names = {oid: (schema, name) for oid, schema, name, _ in rows}
    for oid in TopologicalSorter({oid: set(reads) for oid, _, _, reads in rows}).static_order():
        conn.execute(sql.SQL("refresh materialized view {}").format(sql.Identifier(*names[oid])))
