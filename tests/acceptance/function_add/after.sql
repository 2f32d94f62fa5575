create schema app;
create function app.add(a integer, b integer) returns integer language sql immutable as $$ select a + b $$;
