create schema app;
create table app.t (id bigint primary key, name text);
create index t_lower_name on app.t (lower(name)) where name is not null;
