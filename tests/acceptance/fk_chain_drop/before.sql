create schema app;
create table app.a (id bigint primary key);
create table app.b (id bigint primary key, a bigint references app.a);
create table app.c (id bigint primary key, b bigint references app.b);
