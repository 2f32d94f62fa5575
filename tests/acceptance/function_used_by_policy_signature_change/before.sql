create schema app;
create table app.t (id bigint primary key, name text);
create function app.ok(n bigint) returns boolean language sql stable as $$ select n > 0 $$;
alter table app.t enable row level security;
create policy p on app.t using (app.ok(id));
