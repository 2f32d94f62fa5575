create schema app;
create table app.t (id integer generated always as identity (maxvalue 1000) primary key);
