create schema app;
create table app.t (id bigint primary key, name text);
grant select, insert on app.t to authenticated;
