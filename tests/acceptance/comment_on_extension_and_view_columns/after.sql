-- a new extension with a comment of its own, another's comment changed; view and
-- materialized view column comments added, changed and dropped, and kept over a rebuild
create schema app;
create extension citext schema app;
create extension hstore schema app;
comment on extension hstore is 'for the "legacy" */ settings';
comment on extension citext is 'emails compare without case';
create table app.people (id integer primary key, name text, email app.citext, age integer);
create view app.directory as select id, email, name from app.people;
comment on column app.directory.email is 'where to write; '' quoted';
create materialized view app.counts as select count(*) as n from app.people;
comment on column app.counts.n is 'people, at the last refresh';
