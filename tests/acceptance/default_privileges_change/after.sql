create schema app;
alter default privileges in schema app grant select on tables to authenticated, service_role;
