"""Acting as someone: the course's "impersonation" without a web studio. A query runs the way
PostgREST runs a request — in a transaction, as the request's role (`anon`, `authenticated`,
`service_role`), with the JWT claims Supabase would issue published in `request.jwt.claims` —
so RLS, grants and `auth.uid()` answer exactly as they would for that caller."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from .errors import ConfigError, DatabaseError
from .migrations import split_statements


@dataclass(frozen=True, slots=True)
class Identity:
    role: str  # anon | authenticated | service_role
    claims: dict[str, Any] = field(default_factory=dict)
    label: str = ""


@dataclass(frozen=True, slots=True)
class Result:
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    status: str  # PostgreSQL's command tag: SELECT 3, UPDATE 0…


def anon() -> Identity:
    return Identity("anon", {"role": "anon", "aud": "anon"}, "anon")


def service_role() -> Identity:
    return Identity("service_role", {"role": "service_role"}, "service_role")


def user(conn: psycopg.Connection, who: str) -> Identity:
    """A user of auth.users by id or email, with the claims Supabase puts in their access token."""
    row = conn.execute(
        "select id::text, email, coalesce(raw_app_meta_data, '{}'), coalesce(raw_user_meta_data, '{}') from auth.users where id::text = %s or lower(email) = lower(%s) limit 2",
        (who, who),
    ).fetchall()
    if not row:
        raise ConfigError(f"no user `{who}` in auth.users\n  hint: give an email or id from auth.users (the seeds create some), or --anon / --service-role")
    uid, email, app_meta, user_meta = row[0]
    claims = {"sub": uid, "role": "authenticated", "aud": "authenticated", "email": email, "app_metadata": app_meta, "user_metadata": user_meta, "is_anonymous": False}
    return Identity("authenticated", claims, f"{email or uid} (authenticated)")


def run(conn: psycopg.Connection, identity: Identity | None, query: str, commit: bool = True) -> Result:
    """Run the statements of `query` as `identity` (None: the tool's own role); the last one's
    rows are returned. One transaction: committed, or rolled back when `commit` is false."""
    statements = split_statements(query)
    if not statements:
        raise ConfigError("no SQL statement given")
    conn.autocommit = False
    try:
        with conn.cursor() as cur:
            if identity is not None:
                cur.execute(sql.SQL("set local role {}").format(sql.Identifier(identity.role)))
                cur.execute("select set_config('request.jwt.claims', %s, true)", (json.dumps(identity.claims),))
            for st in statements:
                cur.execute(st.text)
            columns = tuple(c.name for c in cur.description or ())
            rows = tuple(cur.fetchall()) if cur.description else ()
            status = cur.statusmessage or ""
        conn.commit() if commit else conn.rollback()
    except psycopg.OperationalError as e:  # the server went away: nothing to roll back
        raise DatabaseError(f"the database connection was lost: {(e.diag.message_primary or str(e)).strip()}") from None
    except psycopg.Error as e:
        conn.rollback()
        raise DatabaseError(f"{(e.diag.message_primary or str(e)).strip()}" + (f"\n  hint: {e.diag.message_hint}" if e.diag.message_hint else "")) from None
    finally:
        if not conn.closed:
            conn.autocommit = True
    return Result(columns, rows, status)
