-- public back to the platform's privileges, and a role of the database's own loses what it
-- held there
do $$ begin if not exists (select from pg_roles where rolname = 'app reader') then create role "app reader" nologin; end if; end $$;
