create schema app;
create function app.next_code() returns text language sql as $$ select 'x' $$;
create table app.t (id bigint primary key, code text default app.next_code());
