create schema app;
create table app.t (id bigint primary key, name text);
create view app.v as select id, name from app.t;
create function app.touch() returns trigger language plpgsql as $$ begin return new; end $$;
