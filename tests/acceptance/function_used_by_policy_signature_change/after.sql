create schema app;
create table app.t (id bigint primary key, name text);
create function app.ok(n bigint) returns integer language sql stable as $$ select 1 $$;
alter table app.t enable row level security;
create policy p on app.t using (app.ok(id) = 1);
