create schema app;
create table app.keep (id bigint primary key);
create function app."f(); drop table app.keep; --"() returns integer language sql as $$ select 1 $$;
