-- tickets-db's pgTAP helpers: installed in test databases only (never in migrations).
-- Users are made and acted as the way Supabase's API would see them: role + JWT claims.
create schema if not exists tests;
grant usage on schema tests to anon, authenticated, service_role;

-- basejump-supabase_test_helpers' signatures: (identifier, email, phone, metadata).
create or replace function tests.create_supabase_user(identifier text, email text default null, phone text default null, metadata jsonb default null)
returns uuid language plpgsql security definer set search_path = '' as $$
declare
  user_id uuid := gen_random_uuid();
begin
  insert into auth.users (id, aud, role, email, phone, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
  values (user_id, 'authenticated', 'authenticated', coalesce(email, identifier || '@test.local'), phone,
          '{"provider": "email"}', coalesce(metadata, '{}') || jsonb_build_object('test_identifier', identifier), now(), now());
  return user_id;
end;
$$;

create or replace function tests.get_supabase_user(identifier text)
returns json language plpgsql stable security definer set search_path = '' as $$
declare
  found json;
begin
  select json_build_object('id', id, 'email', email, 'phone', phone, 'raw_user_meta_data', raw_user_meta_data, 'raw_app_meta_data', raw_app_meta_data)
  into found from auth.users where raw_user_meta_data ->> 'test_identifier' = identifier limit 1;
  if found is null then
    raise exception 'User with identifier % not found', identifier;
  end if;
  return found;
end;
$$;

create or replace function tests.get_supabase_uid(identifier text)
returns uuid language sql stable security definer set search_path = '' as $$
  select (tests.get_supabase_user(identifier) ->> 'id')::uuid
$$;

create or replace function tests.authenticate_as(identifier text)
returns void language plpgsql set search_path = '' as $$
declare
  found auth.users;
begin
  -- back to the session's own role first: from one user to another (authenticated may not read
  -- auth.users), as supabase test helpers allow
  perform set_config('role', 'none', true);
  select * into found from auth.users
  where raw_user_meta_data ->> 'test_identifier' = identifier or email = identifier or id::text = identifier
  limit 1;
  if found.id is null then
    raise exception 'User with identifier % not found', identifier using hint = 'create it first with tests.create_supabase_user';
  end if;
  perform set_config('request.jwt.claims', json_build_object(
    'sub', found.id, 'role', 'authenticated', 'aud', 'authenticated', 'email', found.email, 'phone', found.phone,
    'app_metadata', found.raw_app_meta_data, 'user_metadata', found.raw_user_meta_data)::text, true);
  perform set_config('role', 'authenticated', true);
end;
$$;

create or replace function tests.authenticate_as_anon()
returns void language plpgsql set search_path = '' as $$
begin
  perform set_config('request.jwt.claims', '{"role": "anon", "aud": "anon"}', true);
  perform set_config('role', 'anon', true);
end;
$$;

create or replace function tests.authenticate_as_service_role()
returns void language plpgsql set search_path = '' as $$
begin
  perform set_config('request.jwt.claims', '{"role": "service_role"}', true);
  perform set_config('role', 'service_role', true);
end;
$$;

-- Back to the migration role; in a file that created basejump's extension (which sets
-- tests.basejump), to anon, as basejump's own does.
create or replace function tests.clear_authentication()
returns void language plpgsql set search_path = '' as $$
begin
  perform set_config('request.jwt.claims', null, true);
  perform set_config('role', case when current_setting('tests.basejump', true) = 'on' then 'anon' else 'postgres' end, true);
end;
$$;

-- now() answers `frozen_time` for queries that resolve now() through the search path.
create or replace function tests.freeze_time(frozen_time timestamptz)
returns void language plpgsql security definer as $$
begin
  create schema if not exists test_overrides;
  grant usage on schema test_overrides to anon, authenticated, service_role;
  execute format('create or replace function test_overrides.now() returns timestamptz language sql stable as %L',
                 format('select %L::timestamptz', frozen_time));
  grant execute on function test_overrides.now() to anon, authenticated, service_role;
  if current_setting('search_path') not like 'test_overrides,%' then
    -- pg_catalog named after it: otherwise PostgreSQL searches it first and its now() wins
    perform set_config('tests.original_search_path', current_setting('search_path'), true);
    perform set_config('search_path', 'test_overrides, ' || current_setting('search_path') || ', pg_catalog', true);
  end if;
end;
$$;

create or replace function tests.unfreeze_time()
returns void language plpgsql security definer as $$
begin
  drop function if exists test_overrides.now();
  if coalesce(current_setting('tests.original_search_path', true), '') <> '' then
    perform set_config('search_path', current_setting('tests.original_search_path'), true);
  end if;
end;
$$;


-- One pgTAP assertion: every table of the schema has row level security enabled.
create or replace function tests.rls_enabled(schema_name text)
returns text language sql set search_path = extensions, pg_catalog as $$
  select is(
    (select array_agg(c.relname::text order by c.relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = schema_name and c.relkind in ('r', 'p') and not c.relrowsecurity),
    null,
    format('every table in %s has row level security', schema_name))
$$;

-- basejump-supabase_test_helpers' one-table form.
create or replace function tests.rls_enabled(testing_schema text, test_table text)
returns text language sql set search_path = extensions, pg_catalog as $$
  select is(
    (select c.relrowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = testing_schema and c.relname = test_table),
    true,
    format('Table %I.%I should have row level security enabled', testing_schema, test_table))
$$;

grant execute on all functions in schema tests to anon, authenticated, service_role;
