do $$ begin if not exists (select from pg_roles where rolname = 'app reader') then create role "app reader" nologin; end if; end $$;
revoke all on schema public from public, anon;
grant usage on schema public to "app reader";
