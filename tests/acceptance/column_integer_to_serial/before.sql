create schema app;
create table app.t (id integer primary key);
