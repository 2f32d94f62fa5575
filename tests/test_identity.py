"""Acting as a user: the rows and errors a real API caller would get, from the same database."""
from __future__ import annotations

import pytest

from tickets_db import db, identity
from tickets_db.errors import ConfigError, DatabaseError

from .conftest import ROOT
from .e2e.test_cli import run as run_cli

TITLES = "select title from public.tickets order by title"


@pytest.fixture
def conn(seeded_db):
    with db.connection(seeded_db) as c:
        yield c


def titles(result):
    return [r[0] for r in result.rows]


def test_member_sees_only_their_team(conn):
    member = identity.user(conn, "member@makerkit.dev")
    assert member.role == "authenticated" and member.claims["email"] == "member@makerkit.dev"
    assert "Acme internal ticket" not in titles(identity.run(conn, member, TITLES)) and len(identity.run(conn, member, TITLES).rows) == 4


def test_user_by_id_and_case_insensitive_email(conn):
    by_id = identity.user(conn, "b73eb03e-fb7a-424d-84ff-18e2791ce0b4")
    by_email = identity.user(conn, "OUTSIDER@example.com")
    assert by_id == by_email
    assert titles(identity.run(conn, by_id, TITLES)) == ["Acme internal ticket"]
    assert identity.run(conn, by_id, "select auth.uid()::text").rows == (("b73eb03e-fb7a-424d-84ff-18e2791ce0b4",),)


def test_anon_is_refused_and_service_role_sees_all(conn):
    with pytest.raises(DatabaseError) as info:
        identity.run(conn, identity.anon(), TITLES)
    assert "permission denied for schema public" in str(info.value)  # Makerkit's: anon may not even use the schema
    assert len(identity.run(conn, identity.service_role(), TITLES).rows) == 5


def test_rls_rejection_is_one_clear_error_and_changes_nothing(conn):
    member = identity.user(conn, "member@makerkit.dev")
    acme = "c5b930c9-0a76-412e-a836-4bc4849a3270"
    ticket = conn.execute("select id from public.tickets where account_id = %s limit 1", (acme,)).fetchone()[0]
    with pytest.raises(DatabaseError) as info:  # a reply on another company's ticket
        identity.run(conn, member, f"insert into public.messages (ticket_id, author, content) values ('{ticket}', 'support', 'x')")
    assert "row-level security" in str(info.value)
    assert conn.execute("select count(*) from public.messages where content = 'x'").fetchone()[0] == 0


def test_commit_and_rollback(conn):
    owner = identity.user(conn, "test@makerkit.dev")
    done = identity.run(conn, owner, "update public.tickets set priority = 'low' where title = 'Billing discrepancy'", commit=False)
    assert done.status == "UPDATE 1"
    assert conn.execute("select priority::text from public.tickets where title = 'Billing discrepancy'").fetchone()[0] == "medium"
    identity.run(conn, owner, "update public.tickets set priority = 'low' where title = 'Billing discrepancy'")
    assert conn.execute("select priority::text from public.tickets where title = 'Billing discrepancy'").fetchone()[0] == "low"


def test_unknown_user_is_bad_input(conn):
    with pytest.raises(ConfigError) as info:
        identity.user(conn, "nobody@example.com")
    assert "nobody@example.com" in str(info.value)


def test_cli_as_a_user(seeded_db):
    result = run_cli("--project-dir", str(ROOT), "--db-url", seeded_db, "sql", "--as", "member@makerkit.dev", TITLES)
    assert result.returncode == 0, result.stderr
    assert "Billing discrepancy" in result.stdout and "Acme internal ticket" not in result.stdout and "SELECT 4" in result.stdout
    anon = run_cli("--project-dir", str(ROOT), "--db-url", seeded_db, "sql", "--anon", TITLES)
    assert anon.returncode == 1 and "permission denied" in anon.stderr and "Traceback" not in anon.stderr
    both = run_cli("--project-dir", str(ROOT), "--db-url", seeded_db, "sql", "--anon", "--service-role", TITLES)
    assert both.returncode == 2
