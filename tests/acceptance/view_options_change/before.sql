create schema app;
create table app.t (id bigint primary key, name text);
create view app.v with (security_barrier) as select id, name from app.t where name is not null with cascaded check option;
