create schema app;
create table app.ddl_log (at timestamptz default now(), tag text);
create function app.log_ddl() returns event_trigger language plpgsql as $$ begin insert into app.ddl_log (tag) values (tg_tag); end $$;
create event trigger log_creates on ddl_command_end when tag in ('CREATE TABLE') execute function app.log_ddl();
alter event trigger log_creates disable;
