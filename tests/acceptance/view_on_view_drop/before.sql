create schema app;
create table app.t (id bigint primary key, name text);
create view app.a as select id from app.t;
create view app.b as select id from app.a;
create view app.c as select id from app.b;
