-- a new table's and a new column's sequence, and an integer made serial, with exact privileges
create schema app;
create table app.old (id serial primary key, n bigint generated always as identity);
create table public.fresh (id integer generated always as identity primary key);
revoke all on sequence public.fresh_id_seq from anon, authenticated, service_role;
grant usage on sequence app.old_id_seq to authenticated;
grant select on sequence app.old_n_seq to service_role;
