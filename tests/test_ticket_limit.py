"""The free plan's 50 tickets in 30 days, with two sessions inserting at once: the limit check is
a count, so without taking turns both inserts at 49 would count 49 and pass."""
from __future__ import annotations

import threading
import time

import psycopg
import pytest

from tickets_db import db

from .conftest import MAKERKIT


def _as_service(conn: psycopg.Connection) -> None:
    conn.execute("set role service_role")
    conn.execute("""select set_config('request.jwt.claims', '{"role": "service_role"}', false)""")


def test_two_sessions_inserting_the_50th_ticket_at_once_one_succeeds(seeded_db):
    with db.connection(seeded_db) as setup:
        have = setup.execute("select count(*) from public.tickets where account_id = %s", (MAKERKIT,)).fetchone()[0]
        setup.execute("insert into public.tickets (account_id, title) select %s, 'filler ' || n from generate_series(1, %s) n", (MAKERKIT, 49 - have))
    first, second = db.connect(seeded_db, autocommit=False), db.connect(seeded_db, autocommit=False)
    try:
        _as_service(first)
        _as_service(second)
        first.execute("insert into public.tickets (account_id, title) values (%s, 'first 50th')", (MAKERKIT,))
        outcome: list[BaseException | None] = []

        def insert_second() -> None:
            try:
                second.execute("insert into public.tickets (account_id, title) values (%s, 'second 50th')", (MAKERKIT,))
                second.commit()
                outcome.append(None)
            except psycopg.Error as e:
                second.rollback()
                outcome.append(e)

        racer = threading.Thread(target=insert_second)
        racer.start()
        pid = second.info.backend_pid
        with db.connection(seeded_db) as watcher:  # the second insert waits for the first's transaction
            for _ in range(100):
                waiting = watcher.execute("select wait_event_type from pg_stat_activity where pid = %s", (pid,)).fetchone()
                if waiting and waiting[0] == "Lock":
                    break
                time.sleep(0.05)
            else:
                pytest.fail("the second insert did not wait for the first")
        first.commit()
        racer.join(10)
    finally:
        first.close()
        second.close()
    assert len(outcome) == 1 and isinstance(outcome[0], psycopg.errors.RaiseException)
    assert "maximum number of tickets" in str(outcome[0])
    with db.connection(seeded_db) as check:
        titles = [r[0] for r in check.execute("select title from public.tickets where title like '%%50th'")]
    assert titles == ["first 50th"]
