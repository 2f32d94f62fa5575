create schema app;
create function app.add(a integer, b integer) returns integer language sql as $$ select a + b + 0 $$;
