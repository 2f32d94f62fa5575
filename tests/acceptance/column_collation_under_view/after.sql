create schema app;
create table app.t (id bigint primary key, name text collate "C");
create view app.v as select id, name from app.t;
create view app.w as select name from app.v;
