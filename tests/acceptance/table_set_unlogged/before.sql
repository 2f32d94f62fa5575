create schema app;
create table app.cache (k text primary key, v jsonb);
