create schema app;
create domain app.email as text check (value ~ '@');
create table app.t (id bigint primary key, e app.email);
