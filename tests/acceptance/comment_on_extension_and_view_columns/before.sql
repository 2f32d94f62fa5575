create schema app;
create extension citext schema app;
create table app.people (id integer primary key, name text, email app.citext);
create view app.directory as select id, name, email from app.people;
comment on column app.directory.name is 'as they like to be called';
create materialized view app.counts as select count(*) as n from app.people;
