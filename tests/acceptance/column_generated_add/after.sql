create schema app;
create table app.t (id bigint primary key, a integer, b integer generated always as (a * 2) stored);
