create schema app;
alter default privileges in schema app grant select, insert on tables to authenticated;
