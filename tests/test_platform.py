"""The Supabase stand-in: installed where missing, left alone where present, faithful roles."""
from __future__ import annotations

import subprocess
import sys
import uuid

from tickets_db import db, platform

from .conftest import ROOT, tool_env


def test_roles_are_like_hosted_supabase(cluster):
    with db.connection(cluster.url("postgres")) as conn:
        roles = dict(conn.execute(
            "select rolname, (rolsuper, rolcanlogin, rolbypassrls, rolcreaterole) from pg_roles where rolname in ('postgres', 'anon', 'authenticated', 'service_role', 'supabase_admin')"
        ).fetchall())
        members = {r[0] for r in conn.execute("select b.rolname from pg_auth_members m join pg_roles a on a.oid = m.member join pg_roles b on b.oid = m.roleid where a.rolname = 'postgres'")}
    # (superuser, login, bypassrls, createrole)
    assert roles["postgres"] == ("f", "t", "t", "t")  # not a superuser: migrations must not need one
    assert roles["anon"] == roles["authenticated"] == ("f", "f", "f", "f")
    assert roles["service_role"] == ("f", "f", "t", "f")
    assert roles["supabase_admin"][0] == "t"
    assert {"anon", "authenticated", "service_role"} <= members


def test_auth_uid_reads_the_jwt_claims(empty_db):
    with db.connection(empty_db) as conn:
        conn.execute("select set_config('request.jwt.claims', '{\"sub\": \"5deaa894-2094-4da3-b4fd-1fada0809d1c\", \"role\": \"authenticated\"}', false)")
        assert str(conn.execute("select auth.uid()").fetchone()[0]) == "5deaa894-2094-4da3-b4fd-1fada0809d1c"
        assert conn.execute("select auth.role(), auth.jwt() ->> 'role'").fetchone() == ("authenticated", "authenticated")
        conn.execute("select set_config('request.jwt.claims', '', false), set_config('request.jwt.claim.sub', 'b73eb03e-fb7a-424d-84ff-18e2791ce0b4', false)")
        assert str(conn.execute("select auth.uid()").fetchone()[0]) == "b73eb03e-fb7a-424d-84ff-18e2791ce0b4"
        assert conn.execute("select storage.filename('a/b/c.png'), storage.extension('a/b/c.png'), storage.foldername('a/b/c.png')").fetchone() == ("c.png", "png", ["a", "b"])


def test_left_alone_where_present(empty_db):
    with db.connection(empty_db) as conn:
        conn.execute("comment on function auth.uid() is 'the real one'")
        assert platform.ensure(conn) is False
        assert conn.execute("select obj_description('auth.uid()'::regprocedure)").fetchone()[0] == "the real one"


def test_migrate_installs_it_into_a_plain_database(cluster):
    name = f"plain_{uuid.uuid4().hex[:8]}"
    with db.connection(cluster.url("template1")) as conn:
        db.create_database(conn, name, template="template0")
    try:
        url = cluster.url(name)
        result = subprocess.run([sys.executable, "-m", "tickets_db", "--project-dir", str(ROOT), "--db-url", url, "migrate"], capture_output=True, text=True, env=tool_env())
        assert result.returncode == 0, result.stderr
        assert "installed the Supabase stand-in" in result.stdout and result.stdout.count("applied 2026") == len(list(ROOT.glob("migrations/*.sql")))
        with db.connection(url) as conn:
            assert conn.execute("select count(*) from public.role_permissions").fetchone()[0] == 9
            assert conn.execute("select count(*) from tickets_db.migrations where version !~ '^[0-9]{14}$'").fetchone()[0] == 0
    finally:
        with db.connection(cluster.url("template1")) as conn:
            db.drop_database(conn, name)


def test_the_schema_privileges_pull_compares_with_are_the_stand_ins(empty_db):
    """pull writes a platform schema's privileges where they differ from these; were they not the
    stand-in's, every pull would write (or miss) a difference nobody made."""
    from tickets_db import introspect
    with db.connection(empty_db) as conn:
        read = {s.name: s.grants for s in introspect.schemas(conn, tuple(platform.STAND_IN_SCHEMA_USAGE))}
    for name, roles in platform.STAND_IN_SCHEMA_USAGE.items():
        held = sorted(g.role for g in read[name] or () if not platform.platform_role(g.role))
        assert held == sorted(roles), name
        assert all(g.privileges == ("usage",) for g in read[name] or () if not platform.platform_role(g.role)), name


def test_the_stand_in_holds_what_makerkit_seeds_and_migrations_use(empty_db):
    """auth's identities, sessions, refresh tokens and MFA factors (with their enums), and a
    database webhook trigger (supabase_functions.http_request), the sequences a data dump sets
    (pgsodium's key sequence too), as a Makerkit seed and a v3 kit's migrations use them."""
    with db.connection(empty_db) as conn:
        conn.execute("insert into auth.users (id, email) values ('5deaa894-2094-4da3-b4fd-1fada0809d1c', 'a@b.c')")
        conn.execute("""insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
                        values ('5deaa894-2094-4da3-b4fd-1fada0809d1c', '5deaa894-2094-4da3-b4fd-1fada0809d1c', '{"sub": "x", "email": "A@B.C"}', 'email', now(), now(), now())""")
        assert conn.execute("select email from auth.identities").fetchone()[0] == "a@b.c"
        conn.execute("insert into auth.sessions (id, user_id, aal) values (gen_random_uuid(), '5deaa894-2094-4da3-b4fd-1fada0809d1c', 'aal1')")
        conn.execute("insert into auth.refresh_tokens (token, user_id, session_id) select 't', user_id::text, id from auth.sessions")
        conn.execute("insert into auth.mfa_factors (id, user_id, factor_type, status, created_at, updated_at) values (gen_random_uuid(), '5deaa894-2094-4da3-b4fd-1fada0809d1c', 'totp', 'verified', now(), now())")
        conn.execute("create table public.notes (id integer primary key)")
        conn.execute("create trigger notes_webhook after insert on public.notes for each row execute function supabase_functions.http_request('http://localhost/hook', 'POST', '{}', '{}', '1000')")
        conn.execute("insert into public.notes values (1)")
        assert conn.execute("select hook_name from supabase_functions.hooks").fetchone()[0] == "notes_webhook"
        # the sequences a data dump of a hosted project (`supabase db dump --data-only`) sets
        conn.execute("""SELECT pg_catalog.setval('"auth"."refresh_tokens_id_seq"', 5, true);
                        SELECT pg_catalog.setval('"pgsodium"."key_key_id_seq"', 1, false);
                        SELECT pg_catalog.setval('"supabase_functions"."hooks_id_seq"', 19, true);""")
