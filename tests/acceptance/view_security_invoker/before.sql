create schema app;
create table app.t (id bigint primary key, name text);
create view app.v as select id from app.t;
