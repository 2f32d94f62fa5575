create schema app;
create table app.t (id bigint primary key, name text);
create function app.touch() returns trigger language plpgsql as $$ begin return new; end $$;
create trigger t_touch before update on app.t for each row execute function app.touch();
