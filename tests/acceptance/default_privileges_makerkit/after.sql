create schema app;
alter default privileges in schema public revoke execute on functions from public, anon, authenticated;
alter default privileges in schema app grant select on tables to authenticated;
alter default privileges in schema app grant usage on sequences to service_role;
alter default privileges revoke execute on functions from public;
