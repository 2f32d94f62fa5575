create schema app;
create function app.ok(n integer) returns boolean language sql immutable as $$ select n > 0 $$;
create table app.t (id bigint primary key, n integer check (app.ok(n)));
