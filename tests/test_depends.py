"""What introspect reads of pg_depend: the edges the order of drops and the rebuilds follow,
named as the operations name objects, for every kind that records one."""
from __future__ import annotations

from tickets_db import db
from tickets_db.introspect import Scope, introspect

from .conftest import clone

SCHEMA = """
create schema app;
create type app.e as enum ('a');
create table app.t (id int primary key, s app.e, n int default 1);
create function app.f(x integer) returns int language sql as 'select 1';
create table app."U.x" (id int primary key, t_id int references app.t, k int default app.f(1) check (app.f(k) > 0));
create view app.v as select id, s from app.t;
create view app.w as select * from app.v;
alter table app.t enable row level security;
create policy p on app.t using (app.f(n) = 1);
create function app.touch() returns trigger language plpgsql as $$ begin return new; end $$;
create trigger tr before update on app.t for each row execute function app.touch();
"""


def test_dependencies_read_from_the_database(cluster):
    with clone(cluster, cluster.ensure_platform_template()) as url, db.connection(url) as conn:
        conn.execute(SCHEMA)
        edges = set(introspect(conn, Scope(("app",))).depends)
    for edge in [
        ("column app.t.s", "type app.e"),
        ("column app.U.x.k", "function app.f(integer)"),
        ("constraint app.U.x.U.x_k_check", "function app.f(integer)"),
        ("constraint app.U.x.U.x_t_id_fkey", "constraint app.t.t_pkey"),  # the key's index is its constraint
        ("policy app.t.p", "function app.f(integer)"),
        ("policy app.t.p", "column app.t.n"),
        ("policy app.t.p", "table app.t"),  # through its column
        ("view app.v", "column app.t.s"),
        ("view app.v", "table app.t"),
        ("view app.w", "view app.v"),
        ("trigger app.t.tr", "function app.touch()"),
    ]:
        assert edge in edges, edge
    assert ("view app.v", "view app.w") not in edges
    assert not any(a == b for a, b in edges)


def test_a_desired_state_reads_no_dependencies(cluster):
    with clone(cluster, cluster.ensure_platform_template()) as url, db.connection(url) as conn:
        conn.execute(SCHEMA)
        assert introspect(conn, Scope(("app",)), depends=False).depends == ()
