create schema app;
create table app.t (id bigint primary key, n integer);
create view app.a as select id, n from app.t;
create view app.b as select id, n from app.a;
