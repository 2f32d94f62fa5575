create schema app;
create function app.f() returns integer language sql as $$ select 1 $$;
