create schema app;
create table app.scores (id int primary key, score int);
