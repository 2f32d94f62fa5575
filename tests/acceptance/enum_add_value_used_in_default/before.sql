create schema app;
create type app.mood as enum ('sad', 'ok');
create table app.t (id bigint primary key, m app.mood);
