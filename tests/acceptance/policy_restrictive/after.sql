create schema app;
create table app.t (id bigint primary key, name text);
alter table app.t enable row level security;
create policy p on app.t as restrictive using (true);
