create schema app;
create table app.keep (id bigint primary key);
