create schema app;
create table app.people (id int primary key, name text);
