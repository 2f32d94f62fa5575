"""Every branch of the course's functions and triggers, on the seeded project database."""
from __future__ import annotations

import psycopg
import pytest

from tickets_db import db

from .conftest import MAKERKIT, OWNER, acting_as

NEW_ACCOUNT = "22222222-2222-2222-2222-222222222222"


@pytest.fixture
def conn(seeded_db):
    with db.connection(seeded_db) as c:
        yield c


def ticket(conn, title: str):
    return conn.execute("select status, closed_at, closed_by, resolved_at, resolved_by from public.tickets where title = %s", (title,)).fetchone()


@pytest.mark.parametrize(
    "start, new, closed, resolved",
    [
        ("open", "closed", True, False),
        ("open", "resolved", False, True),
        ("resolved", "open", False, False),
        ("resolved", "in_progress", False, False),
        ("resolved", "closed", True, False),
    ],
)
def test_status_change_sets_and_clears_columns(conn, start, new, closed, resolved):
    title = "Billing discrepancy"
    conn.execute("update public.tickets set status = %s where title = %s", (start, title))
    if start == "resolved":  # leave stale values behind to see them cleared
        conn.execute("update public.tickets set closed_at = now(), resolved_at = now() where title = %s", (title,))
    with acting_as(conn, OWNER):
        conn.execute("update public.tickets set status = %s where title = %s", (new, title))
        status, closed_at, closed_by, resolved_at, resolved_by = ticket(conn, title)
        assert status == new
        assert (closed_at is not None, str(closed_by) if closed_by else None) == (closed, OWNER if closed else None)
        assert (resolved_at is not None, str(resolved_by) if resolved_by else None) == (resolved, OWNER if resolved else None)


def test_update_without_status_change_keeps_closed_at(conn):
    conn.execute("update public.tickets set closed_at = '2020-01-01' where title = 'Billing discrepancy'")
    conn.execute("update public.tickets set status = 'open', title = title where title = 'Billing discrepancy'")
    assert ticket(conn, "Billing discrepancy")[1] is not None
    # and the trigger does not even run then: it fires only when the status really changes
    definition = conn.execute("select pg_get_triggerdef(oid) from pg_trigger where tgname = 'handle_ticket_status_change_trigger'").fetchone()
    assert definition is not None and "BEFORE UPDATE OF status" in definition[0] and "WHEN ((old.status IS DISTINCT FROM new.status))" in definition[0]


def new_account(conn, plan_limit: int | None) -> None:
    conn.execute("insert into auth.users (id, email) values (%s, 'limits@example.com')", (NEW_ACCOUNT,))
    if plan_limit is None:
        return
    conn.execute("insert into public.plans values ('test-plan', 'Test', %s)", (plan_limit,))
    conn.execute("select public.upsert_subscription(%s, 'cus_t', 'sub_t', true, 'active', 'stripe', false, 'usd', now() - interval '1 day', now() + interval '29 days', %s::jsonb)",
                 (NEW_ACCOUNT, '[{"id": "si_t", "product_id": "p", "variant_id": "test-plan", "type": "flat", "price_amount": 10, "quantity": 1, "interval": "month", "interval_count": 1}]'))


def insert_tickets(conn, n: int) -> None:
    conn.execute("insert into public.tickets (account_id, title) select %s, 'T' || g from generate_series(1, %s) g", (NEW_ACCOUNT, n))


def remaining(conn) -> int:
    return conn.execute("select public.get_remaining_tickets(%s)", (NEW_ACCOUNT,)).fetchone()[0]


def test_free_account_limit_is_50_per_30_days(conn):
    new_account(conn, None)
    insert_tickets(conn, 49)
    assert remaining(conn) == 1
    insert_tickets(conn, 1)
    assert remaining(conn) == 0
    with pytest.raises(psycopg.errors.RaiseException, match="maximum number of tickets"):
        insert_tickets(conn, 1)


def test_old_tickets_do_not_count_on_the_free_plan(conn):
    new_account(conn, None)
    insert_tickets(conn, 50)
    conn.execute("update public.tickets set created_at = now() - interval '31 days' where account_id = %s", (NEW_ACCOUNT,))
    assert remaining(conn) == 50
    insert_tickets(conn, 1)


def test_paid_plan_limit_counts_the_billing_period(conn):
    new_account(conn, 3)
    assert remaining(conn) == 3
    insert_tickets(conn, 3)
    assert remaining(conn) == 0
    with pytest.raises(psycopg.errors.RaiseException, match="maximum number of tickets"):
        insert_tickets(conn, 1)


def test_unlimited_plan(conn):
    new_account(conn, -1)
    insert_tickets(conn, 60)
    assert remaining(conn) == -1


def test_subscription_to_an_unknown_plan_gets_the_free_limit(conn):
    new_account(conn, 5)
    conn.execute("delete from public.plans where variant_id = 'test-plan'")
    assert remaining(conn) == 50


def test_has_role_on_ticket_account_and_can_read_message(conn):
    ticket_id = conn.execute("select id from public.tickets where title = 'App crashes on startup'").fetchone()[0]
    message_id = conn.execute("select id from public.messages where ticket_id = %s limit 1", (ticket_id,)).fetchone()[0]
    with acting_as(conn, OWNER):
        assert conn.execute("select public.has_role_on_ticket_account(%s), public.can_read_message(%s)", (ticket_id, message_id)).fetchone() == (True, True)
    with acting_as(conn, NEW_ACCOUNT):
        assert conn.execute("select public.has_role_on_ticket_account(%s), public.can_read_message(%s)", (ticket_id, message_id)).fetchone() == (False, False)


def test_core_helpers(conn):
    with acting_as(conn, OWNER):
        assert conn.execute("select public.has_role_on_account(%s), public.has_role_on_account(%s, 'owner'), public.has_role_on_account(%s, 'member')", (MAKERKIT, MAKERKIT, MAKERKIT)).fetchone() == (True, True, False)
        assert conn.execute("select public.has_permission(%s, %s, 'tickets.delete')", (OWNER, MAKERKIT)).fetchone()[0] is True
        assert conn.execute("select kit.get_storage_filename_as_uuid('folder/5deaa894-2094-4da3-b4fd-1fada0809d1c.png')").fetchone()[0].__str__() == MAKERKIT
        slug = conn.execute("select slug from public.create_team_account('Ça Marche Bien')").fetchone()[0]
        assert slug == "ca-marche-bien"
