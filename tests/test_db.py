"""Database administration as the tool's non-superuser role, against the session cluster."""
from __future__ import annotations

import time
import uuid

from tickets_db import db

from .pgdump import schema_dump


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



def test_compact_leaves_the_same_database_in_less_space(cluster):
    """The platform template is compacted before clones copy it: what a user checks is that the
    database holds exactly the same objects and rows, in less space, and that compacting as a
    role that owns only some of the tables is no error."""
    name, role = f"cp_{uuid.uuid4().hex[:8]}", f"r_{uuid.uuid4().hex[:8]}"
    with db.connection(cluster.superuser_url) as su:
        su.execute(f'create role "{role}" login')
        su.execute(f'grant "{role}" to postgres')
        db.create_database(su, name, template=cluster.ensure_platform_template(), owner=role)
    try:
        url = cluster.url(name)
        with db.connection(url) as conn:
            for i in range(150):  # what installing and migrating leaves behind: dead catalog rows
                conn.execute(f"create table public.t{i} (a int primary key, b text check (b <> ''))")
                conn.execute(f"drop table public.t{i}")
            conn.execute("create table public.kept as select g from generate_series(1, 1000) g")
            conn.execute("delete from public.kept where g > 10")
            before = conn.execute("select pg_database_size(current_database())").fetchone()[0]
            dump = schema_dump(url)
            db.compact(conn)
            assert conn.execute("select pg_database_size(current_database())").fetchone()[0] < before * 0.9
            assert conn.execute("select array_agg(g order by g) from public.kept").fetchone()[0] == list(range(1, 11))
        assert schema_dump(url) == dump
        with db.connection(cluster.url(name, role)) as conn:  # owns the database, not the stand-in's tables
            db.compact(conn)
    finally:
        with db.connection(cluster.superuser_url) as su:
            db.drop_database(su, name)
            su.execute(f'drop role "{role}"')


def test_a_database_of_any_name_is_reached_by_its_url(cluster):
    """URLs are built for databases the config or a command names (another database of the same
    server, the local one): a name with a space, quote, `;`, `/`, `?`, `#`, `%` or non-ASCII
    letters is percent-encoded, as libpq decodes it, and read back as it was."""
    from tickets_db.config import database_of, with_database

    name = f'Odd "db"; a/b?c#d %41 ü {uuid.uuid4().hex[:6]}'
    with db.connection(cluster.superuser_url) as su:
        db.create_database(su, name)
    try:
        for url in (cluster.url(name), with_database(cluster.url("postgres"), name)):
            assert database_of(url) == name
            with db.connection(url) as conn:
                assert conn.execute("select current_database()").fetchone()[0] == name
    finally:
        with db.connection(cluster.superuser_url) as su:
            db.drop_database(su, name)
