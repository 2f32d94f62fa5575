create schema app;
create type app.pair as (a bigint, b text);
create function app.first(p app.pair) returns integer language sql as $$ select p.a::integer $$;
