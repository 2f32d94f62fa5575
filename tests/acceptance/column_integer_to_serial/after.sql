create schema app;
create table app.t (id serial primary key);
