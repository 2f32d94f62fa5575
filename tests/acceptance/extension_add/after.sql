create schema app;
create extension if not exists citext schema extensions;
create table app.t (id bigint primary key, e extensions.citext);
