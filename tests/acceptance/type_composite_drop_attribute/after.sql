create schema app;
create type app.pair as (a integer);
create table app.t (id int primary key, p app.pair);
