"""The generated support-schema migration against the course's hand-written SQL, compared as
catalogs (introspected), not as text. The only differences allowed are the fixes we made on
purpose, and each is asserted to be what we say it is."""
from __future__ import annotations

from dataclasses import replace

import psycopg
import pytest

from tickets_db import db
from tickets_db.introspect import Scope, introspect
from tickets_db.loader import load
from tickets_db.migrations import list_migrations, split_statements
from tickets_db.model import Catalog
from tickets_db.runner import migrate

from .conftest import ROOT, clone

COURSE_SQL = ROOT / "tests" / "fixtures" / "course_support_schema.sql"
FIXED_FUNCTIONS = {"public.check_ticket_limit()", "public.get_remaining_tickets(uuid)"}
FIXED_POLICIES = {("public.messages", "insert_messages")}
SUPPORT_TABLES = {"public.tickets", "public.messages", "public.plans"}


def apply_course(url: str) -> None:
    """As `psql -f` would run it: statement by statement, autocommit (the file's `commit;` is a no-op there)."""
    with db.connection(url) as conn:
        for st in split_statements(COURSE_SQL.read_text()):
            if st.text.lower().rstrip(";").strip() == "commit":
                continue
            conn.execute(st.text)


def not_the_course():
    """Every migration but the generated support schema and its later fixes: the core and later
    core changes."""
    return [m for m in list_migrations(ROOT / "migrations") if m.name not in ("support-schema-enum-values", "support-schema", "support-fixes")]


def without_comments_and_grants(c: Catalog) -> Catalog:
    return replace(
        c,
        schemas=tuple(replace(s, comment=None, grants=()) for s in c.schemas),
        enums=tuple(replace(e, comment=None) for e in c.enums),
        tables=tuple(replace(t, comment=None, grants=(), columns=tuple(replace(col, comment=None, grants=()) for col in t.columns),
                             policies=tuple(p for p in t.policies if (t.qualname, p.name) not in FIXED_POLICIES)) for t in c.tables),
        # The course indents its bodies inside $$; PostgreSQL keeps that whitespace verbatim.
        functions=tuple(replace(f, comment=None, grants=(), body=" ".join(f.body.split())) for f in c.functions),
        views=tuple(replace(v, comment=None, grants=()) for v in c.views),
    )


@pytest.fixture(scope="module")
def catalogs(cluster, project_template):
    authored = load(ROOT / "schema", ROOT)
    scope = Scope.of(authored)
    core = not_the_course()
    with clone(cluster, cluster.ensure_platform_template()) as course_url:
        with db.connection(course_url) as conn:
            migrate(conn, core)
        apply_course(course_url)
        with db.connection(course_url) as conn:
            course = introspect(conn, scope)
        with clone(cluster, project_template) as ours_url, db.connection(ours_url) as conn:
            ours = introspect(conn, scope)
        yield course, ours


def test_same_catalog_apart_from_the_documented_fixes(catalogs):
    course, ours = (without_comments_and_grants(c) for c in catalogs)
    assert course.enums == ours.enums
    assert course.tables == ours.tables
    assert course.views == ours.views
    # the support schema's permissions: the same rows, with ids out of the core sequence's way
    assert [r.keyed().keys() for r in course.rows] == [r.keyed().keys() for r in ours.rows]
    rp = {r.table: r for r in ours.rows}["public.role_permissions"]
    ids = {row[rp.columns.index("permission")]: row[rp.columns.index("id")] for row in rp.values}
    assert {p: i for p, i in ids.items() if p and p.startswith("tickets.")} == {"tickets.update": "-1", "tickets.delete": "-2"}
    course_fns = {f.identity: f for f in course.functions}
    ours_fns = {f.identity: f for f in ours.functions}
    assert course_fns.keys() == ours_fns.keys()
    differing = {k for k in course_fns if course_fns[k] != ours_fns[k]}
    assert differing == FIXED_FUNCTIONS
    for k in differing:  # only the body differs
        assert replace(course_fns[k], body="") == replace(ours_fns[k], body="")


def test_enum_values_added_in_the_course_order(catalogs):
    _, ours = catalogs
    assert ours.enum("public.app_permissions").values[-2:] == ("tickets.update", "tickets.delete")


def test_grants_only_ever_narrower_than_the_course(catalogs):
    course, ours = catalogs
    for name in SUPPORT_TABLES:
        theirs = {g.role: set(g.privileges) for g in course.table(name).grants}
        mine = {g.role: set(g.privileges) for g in ours.table(name).grants}
        for role, privs in mine.items():
            assert privs <= theirs.get(role, set()), (name, role)
    # The hole the course leaves: Supabase's default privileges keep TRUNCATE (which RLS does
    # not filter) for authenticated users and everything for anon.
    course_tickets = {g.role: set(g.privileges) for g in course.table("public.tickets").grants}
    our_tickets = {g.role: set(g.privileges) for g in ours.table("public.tickets").grants}
    assert "truncate" in course_tickets["authenticated"] and "anon" in course_tickets
    assert our_tickets == {"authenticated": {"select", "delete"}, "service_role": {"select", "insert"}}
    # updates only to the columns the course's screens write: not account_id, not created_at
    updatable = {c.name for c in ours.table("public.tickets").columns if any("update" in g.privileges for g in c.grants)}
    assert updatable == {"title", "category", "assigned_to", "priority", "status", "customer_email", "resolution", "updated_at"}


def test_the_insert_policy_fix_is_the_one_documented(catalogs):
    course, ours = catalogs
    theirs = {p.name: p for p in course.table("public.messages").policies}["insert_messages"]
    mine = {p.name: p for p in ours.table("public.messages").policies}["insert_messages"]
    assert replace(theirs, with_check=None) == replace(mine, with_check=None)
    assert "author_account_id" in (mine.with_check or "") and "author_account_id" not in (theirs.with_check or "")


def test_course_check_ticket_limit_is_broken_for_paid_plans(cluster, catalogs):
    """The reason for the FIX in support.yaml: the course's trigger fails on its paid branch."""
    core = not_the_course()
    with clone(cluster, cluster.ensure_platform_template()) as url:
        with db.connection(url) as conn:
            migrate(conn, core)
        apply_course(url)
        with db.connection(url) as conn:
            _paid_account(conn, max_tickets=10)
            with pytest.raises(psycopg.errors.AmbiguousColumn):
                conn.execute("insert into public.tickets (account_id, title) values ('11111111-1111-1111-1111-111111111111', 'x')")


def _paid_account(conn: psycopg.Connection, max_tickets: int) -> None:
    conn.execute("insert into auth.users (id, email) values ('11111111-1111-1111-1111-111111111111', 'paid@example.com')")
    conn.execute("insert into public.plans values ('v1', 'Paid', %s)", (max_tickets,))
    conn.execute("insert into public.billing_customers (id, account_id, provider, customer_id) values (1, '11111111-1111-1111-1111-111111111111', 'stripe', 'cus_1')")
    conn.execute(
        "insert into public.subscriptions (id, account_id, billing_customer_id, status, active, billing_provider, cancel_at_period_end, currency, period_starts_at, period_ends_at)"
        " values ('sub_1', '11111111-1111-1111-1111-111111111111', 1, 'active', true, 'stripe', false, 'usd', now() - interval '1 day', now() + interval '29 days')"
    )
    conn.execute("insert into public.subscription_items (id, subscription_id, product_id, variant_id, type, quantity, interval, interval_count) values ('si_1', 'sub_1', 'p1', 'v1', 'flat', 1, 'month', 1)")
