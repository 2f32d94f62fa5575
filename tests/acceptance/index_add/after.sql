create schema app;
create table app.t (id bigint primary key, name text);
create index t_name on app.t (name);
