create schema app;
create type app.a as enum ('x', 'y');
create type app.b as enum ('x', 'y', 'z');
create table app.t (id bigint primary key, v app.a);
