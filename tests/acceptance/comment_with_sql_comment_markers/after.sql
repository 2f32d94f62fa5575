create schema app;
create table app.t (id bigint primary key, name text);
comment on table app.t is '*/ delete from app.t; /* and attachments/*/file';
comment on column app.t.name is '-- not a comment
; select 1';
