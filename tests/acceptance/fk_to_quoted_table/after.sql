create schema app;
create table app."Parent Table" (id bigint primary key);
create table app.c (id bigint primary key, p bigint references app."Parent Table" (id));
