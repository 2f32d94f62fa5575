do $$ begin if not exists (select from pg_roles where rolname = 'app_auditor') then create role app_auditor nologin; end if; end $$;
create schema app;
create table app.t (id int primary key, secret text);
create function app.f() returns int language sql as $$ select 1 $$;
create view app.v as select id from app.t;
create sequence app.s;
grant select on app.t to authenticated;
