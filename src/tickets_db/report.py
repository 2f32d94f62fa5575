"""Counts for the summary `reset` prints: what the database now holds."""
from __future__ import annotations

import psycopg
from psycopg import sql

from .introspect import Scope


def summary(conn: psycopg.Connection, scope: Scope) -> list[tuple[str, int, int, int]]:
    """Per schema: tables, policies, functions, rows (rows counted exactly; these are small)."""
    schemas = list(scope.schemas)
    out = []
    for schema in schemas:
        tables = [r[0] for r in conn.execute("select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = %s and c.relkind in ('r','p') order by 1", (schema,))]
        policies = conn.execute("select count(*) from pg_policies where schemaname = %s", (schema,)).fetchone()[0]  # type: ignore[index]
        functions = conn.execute("select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = %s and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')", (schema,)).fetchone()[0]  # type: ignore[index]
        rows = 0
        for t in tables:
            rows += conn.execute(sql.SQL("select count(*) from {}").format(sql.Identifier(schema, t))).fetchone()[0]  # type: ignore[index]
        out.append((schema, len(tables), policies, functions, rows))
    for qualname in ("auth.users", "storage.buckets", "storage.objects"):
        s, t = qualname.split(".")
        if conn.execute("select to_regclass(%s)", (qualname,)).fetchone()[0]:  # type: ignore[index]
            n = conn.execute(sql.SQL("select count(*) from {}").format(sql.Identifier(s, t))).fetchone()[0]  # type: ignore[index]
            pol = conn.execute("select count(*) from pg_policies where schemaname = %s and tablename = %s", (s, t)).fetchone()[0]  # type: ignore[index]
            out.append((qualname, 1, pol, 0, n))
    return out  # type: ignore[return-value]
