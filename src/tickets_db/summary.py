"""What `reset` prints: per project schema (and the platform tables it fills) the number of
tables, policies, functions and rows, in one round trip. Apart from introspect, whose import
brings every object kind (and sqlglot) with it: a reset needs none of that."""
from __future__ import annotations

from pathlib import Path

import psycopg

PLATFORM = ["auth", "storage", "extensions", "tickets_db", "information_schema"]
PLATFORM_TABLES = ["auth.users", "storage.buckets", "storage.objects"]
QUERY = Path(__file__).with_suffix(".sql")


def summary(conn: psycopg.Connection) -> list[tuple[str, int, int, int, int]]:
    with conn.cursor() as cur:
        cur.execute(QUERY.read_text(), {"platform": PLATFORM, "platform_tables": PLATFORM_TABLES})
        return [(label, tables, policies, functions, rows) for label, tables, policies, functions, rows in cur.fetchall()]
