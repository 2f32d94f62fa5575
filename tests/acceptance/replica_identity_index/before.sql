create schema app;
create table app.t (id bigint primary key, code text not null);
create unique index t_code on app.t (code);
alter table app.t replica identity full;
