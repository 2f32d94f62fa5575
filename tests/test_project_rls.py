"""Row level security of the support schema, exercised as the course describes it, acting as
real users (role + JWT claims, as PostgREST does)."""
from __future__ import annotations

import psycopg
import pytest

from tickets_db import db

from .conftest import ACME, MAKERKIT, MEMBER, OUTSIDER, OWNER, acting_as


@pytest.fixture
def conn(seeded_db):
    with db.connection(seeded_db) as c:
        yield c


def titles(conn) -> set[str]:
    return {r[0] for r in conn.execute("select title from public.tickets")}


def test_member_reads_own_account_tickets_only(conn):
    with acting_as(conn, MEMBER):
        assert titles(conn) == {"Cannot access account", "Billing discrepancy", "Feature request: Dark mode", "App crashes on startup"}
    with acting_as(conn, OUTSIDER):
        assert titles(conn) == {"Acme internal ticket"}


def test_member_reads_messages_of_own_account_only(conn):
    with acting_as(conn, MEMBER):
        assert conn.execute("select count(*) from public.messages").fetchone()[0] == 8
    with acting_as(conn, OUTSIDER):
        assert conn.execute("select count(*) from public.messages").fetchone()[0] == 0


def test_only_the_owner_role_updates_and_deletes_tickets(conn):
    with acting_as(conn, MEMBER):
        assert conn.execute("update public.tickets set priority = 'high' where account_id = %s", (MAKERKIT,)).rowcount == 0
        assert conn.execute("delete from public.tickets where account_id = %s", (MAKERKIT,)).rowcount == 0
    with acting_as(conn, OWNER):
        assert conn.execute("update public.tickets set priority = 'high' where account_id = %s", (MAKERKIT,)).rowcount == 4
        assert conn.execute("delete from public.tickets where title = 'Billing discrepancy'").rowcount == 1
    with acting_as(conn, OWNER):  # nor can the owner touch another company's tickets
        assert conn.execute("update public.tickets set priority = 'high' where account_id = %s", (ACME,)).rowcount == 0


def test_owner_cannot_move_a_ticket_to_another_account(conn):
    with acting_as(conn, OWNER), pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("update public.tickets set account_id = %s where title = 'Billing discrepancy'", (ACME,))


def test_anon_sees_nothing(conn):
    with acting_as(conn, None, "anon"), pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("select * from public.tickets")
    with acting_as(conn, None, "anon"), pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("select * from public.messages")


def test_authenticated_cannot_truncate(conn):
    """TRUNCATE skips RLS; the course's revoke left it to authenticated (see support.yaml FIX)."""
    with acting_as(conn, OWNER), pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("truncate public.tickets cascade")


def test_service_role_inserts_tickets_and_members_cannot(conn):
    with acting_as(conn, None, "service_role"):
        conn.execute("insert into public.tickets (account_id, title, customer_email) values (%s, 'From the contact form', 'x@example.com')", (MAKERKIT,))
        assert conn.execute("select count(*) from public.tickets where title = 'From the contact form'").fetchone()[0] == 1
    with acting_as(conn, MEMBER), pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("insert into public.tickets (account_id, title) values (%s, 'sneaky')", (MAKERKIT,))


def test_members_post_messages_on_their_tickets_only(conn):
    ticket = conn.execute("select id from public.tickets where title = 'Billing discrepancy'").fetchone()[0]
    acme_ticket = conn.execute("select id from public.tickets where account_id = %s", (ACME,)).fetchone()[0]
    with acting_as(conn, MEMBER):
        conn.execute("insert into public.messages (ticket_id, author, content) values (%s, 'support', 'On it')", (ticket,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("insert into public.messages (ticket_id, author, content) values (%s, 'support', 'hi')", (acme_ticket,))


def test_plans_readable_by_authenticated_users(conn):
    with acting_as(conn, OUTSIDER):
        assert conn.execute("select count(*) from public.plans").fetchone()[0] == 2


def test_attachment_readable_by_members_of_the_ticket_account_only(conn):
    message = conn.execute("select m.id from public.messages m join public.tickets t on t.id = m.ticket_id where t.title = 'App crashes on startup' limit 1").fetchone()[0]
    conn.execute("insert into storage.objects (bucket_id, name) values ('attachments', %s)", (f"{message}.txt",))
    query = "select name from storage.objects where bucket_id = 'attachments'"
    with acting_as(conn, MEMBER):
        assert [r[0] for r in conn.execute(query)] == [f"{message}.txt"]
    with acting_as(conn, OUTSIDER):
        assert conn.execute(query).fetchall() == []


def test_attachments_bucket_is_private(conn):
    assert conn.execute("select public from storage.buckets where id = 'attachments'").fetchone()[0] is False


def test_personal_account_created_for_each_user(conn):
    rows = conn.execute("select id, primary_owner_user_id, is_personal_account, email from public.accounts where id = %s", (MEMBER,)).fetchall()
    assert rows == [(rows[0][0], rows[0][0], True, "member@makerkit.dev")]
