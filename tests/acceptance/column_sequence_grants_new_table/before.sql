create schema app;
create table app.old (id integer primary key);
