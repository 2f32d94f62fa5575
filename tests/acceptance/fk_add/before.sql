create schema app;
create table app.p (id bigint primary key);
create table app.c (id bigint primary key, p bigint);
