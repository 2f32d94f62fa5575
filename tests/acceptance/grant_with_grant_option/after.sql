create schema app;
create table app.t (id bigint primary key, name text);
grant select on app.t to authenticated with grant option;
