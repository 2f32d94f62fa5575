create schema app;
create function app.f() returns bigint language sql as $$ select 1::bigint $$;
