create schema app;
create table app.t (id bigint primary key, name text);
comment on table app.t is 'old';
comment on column app.t.name is 'gone';
