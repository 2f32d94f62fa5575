create schema app;
create table app.t (id bigint primary key, name text);
create view app.v as select id, name from app.t where name is not null;
create function app.touch() returns trigger language plpgsql as $$ begin return new; end $$;
create trigger v_upd instead of update on app.v for each row execute function app.touch();
