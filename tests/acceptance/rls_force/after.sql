create schema app;
create table app.t (id bigint primary key, name text);
alter table app.t enable row level security;
alter table app.t force row level security;
