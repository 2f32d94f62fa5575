-- pg_cron as hosted Supabase offers it: available to every project, created by the project's own
-- migration (`create extension pg_cron`), which the platform runs as a superuser and follows with
-- grants to `postgres`. pg_cron's script creates it only in the one database the server's
-- `cron.database_name` names, and only a superuser may, so the stand-in places it in the template
-- (built under pg_cron's own exempt name) and the migration's statement claims it: this function
-- grants what Supabase grants, then removes itself, so an unclaimed pg_cron is unusable (the
-- `cron` schema is its owner's alone) and a claimed one cannot be claimed twice.
create extension pg_cron with schema pg_catalog;

create function extensions.tickets_db_create_pg_cron(role text, schema_name text) returns void
language plpgsql security definer set search_path = pg_catalog as $$
begin
  if schema_name is not null and to_regnamespace(quote_ident(schema_name)) is null then
    raise exception using errcode = '3F000', message = format('schema "%s" does not exist', schema_name);
  end if;
  execute format('grant usage on schema cron to %I with grant option', role);
  execute format('grant all on all tables in schema cron to %I with grant option', role);
  execute format('grant all on all sequences in schema cron to %I with grant option', role);
  execute format('grant all on all functions in schema cron to %I with grant option', role);
  drop function extensions.tickets_db_create_pg_cron(text, text);
end $$;
revoke all on function extensions.tickets_db_create_pg_cron(text, text) from public, anon, authenticated, service_role;
grant execute on function extensions.tickets_db_create_pg_cron(text, text) to postgres;
