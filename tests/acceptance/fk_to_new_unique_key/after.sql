create schema app;
create table app.p (id bigint primary key, code text not null unique);
create table app.c (id bigint primary key, code text references app.p (code));
