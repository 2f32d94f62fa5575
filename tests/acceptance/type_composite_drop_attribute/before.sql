create schema app;
create type app.pair as (a integer, b text);
create table app.t (id int primary key, p app.pair);
