create schema app;
create table app.base (id int primary key, created_at timestamptz default now());
create table app.other (note text);
