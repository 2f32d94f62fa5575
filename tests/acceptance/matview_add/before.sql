create schema app;
create table app.people (id int primary key, team text not null, score int);
