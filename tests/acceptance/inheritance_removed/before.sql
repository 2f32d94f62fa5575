create schema app;
create table app.base (id int);
create table app.child (extra text) inherits (app.base);
