"""Seed files (seeds/*.sql, in name order) loaded after the migrations. All of them run in one
transaction, so a failing statement leaves the database as it was. Each file's checksum is
recorded, so `tickets-db seed` re-runs only what changed."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import psycopg

from .config import display_path
from .migrations import checksum, split_statements
from .runner import ensure_history, execute


@dataclass(frozen=True, slots=True)
class SeedFile:
    path: Path
    checksum: str


def list_seeds(directory: Path) -> list[SeedFile]:
    if not directory.is_dir():
        return []
    return [SeedFile(p, checksum(p.read_bytes())) for p in sorted(directory.glob("*.sql"))]


def load(conn: psycopg.Connection, seeds: list[SeedFile], root: Path | None = None, only_changed: bool = False) -> list[SeedFile]:
    conn.autocommit = True
    ensure_history(conn)
    recorded: dict[str, str] = dict(conn.execute("select file, checksum from tickets_db.seeds").fetchall())
    todo = [s for s in seeds if not only_changed or recorded.get(s.path.name) != s.checksum]
    with conn.transaction():
        for s in todo:
            for st in split_statements(s.path.read_text(encoding="utf-8")):
                execute(conn, st, display_path(s.path, root))
            conn.execute(
                "insert into tickets_db.seeds (file, checksum) values (%s, %s) on conflict (file) do update set checksum = excluded.checksum, applied_at = now()",
                (s.path.name, s.checksum),
            )
    return todo
