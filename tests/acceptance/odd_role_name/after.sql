do $$ begin if not exists (select from pg_roles where rolname = 'App Auditor') then create role "App Auditor" nologin; end if; end $$;
create schema app;
create table app.t (id bigint primary key, name text);
alter table app.t enable row level security;
grant select on app.t to "App Auditor";
create policy audit on app.t for select to "App Auditor" using (true);
