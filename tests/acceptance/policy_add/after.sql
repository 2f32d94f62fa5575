create schema app;
create table app.t (id bigint primary key, name text);
alter table app.t enable row level security;
create policy read_named on app.t for select to authenticated using (name is not null);
