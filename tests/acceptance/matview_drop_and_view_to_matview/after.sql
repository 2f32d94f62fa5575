create schema app;
create table app.people (id int primary key, team text not null, score int);
create materialized view app.counts as select count(*) as n from app.people;
