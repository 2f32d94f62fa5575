create schema app;
create table app.t (id bigint generated always as identity primary key);
