"""Database administration as the tool's non-superuser role, against the session cluster."""
from __future__ import annotations

import time
import uuid

from tickets_db import db


def test_drop_database_while_autovacuum_works_in_it(cluster):
    """PostgreSQL 15 refuses a non-superuser's DROP DATABASE ... WITH (FORCE) while an autovacuum
    worker is in the database (CI failed on this once, in a test's teardown)."""
    name = f"av_{uuid.uuid4().hex[:8]}"
    with db.connection(cluster.superuser_url) as su:
        su.execute("alter system set autovacuum_naptime = 1")
        su.execute("alter system set autovacuum_vacuum_cost_delay = 100")  # a slow, long vacuum
        su.execute("select pg_reload_conf()")
    try:
        with db.connection(cluster.url("postgres")) as conn:
            db.create_database(conn, name)
        with db.connection(cluster.url(name)) as conn:
            conn.execute("create table t as select g, repeat('x', 200) as s from generate_series(1, 300000) g")
            conn.execute("delete from t where g % 2 = 0")
        with db.connection(cluster.superuser_url) as su:
            deadline = time.monotonic() + 60
            while not su.execute("select 1 from pg_stat_activity where datname = %s and backend_type = 'autovacuum worker'", (name,)).fetchone():
                assert time.monotonic() < deadline, "autovacuum never started"
                time.sleep(0.05)
        with db.connection(cluster.url("postgres")) as conn:
            db.drop_database(conn, name)
            assert not db.database_exists(conn, name)
    finally:
        with db.connection(cluster.superuser_url) as su:
            su.execute("alter system reset autovacuum_naptime")
            su.execute("alter system reset autovacuum_vacuum_cost_delay")
            su.execute("select pg_reload_conf()")
            db.drop_database(su, name)
