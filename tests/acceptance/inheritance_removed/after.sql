create schema app;
create table app.base (id int);
create table app.child (id int, extra text);
