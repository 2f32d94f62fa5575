create schema app;
create sequence app.numbers;
create table app.a (id bigint primary key default nextval('app.numbers'), n int);
alter sequence app.numbers owned by app.a.id;
