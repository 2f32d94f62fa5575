-- Per project schema (and the platform tables it fills): tables, policies, functions, rows.
-- Row counts come from query_to_xml so every table is counted exactly in this one query.
with tables as (
  select n.nspname as schema, c.relname as name, n.nspname || '.' || c.relname as qualname
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p')
    and ((n.nspname !~ '^pg_' and n.nspname <> all(%(platform)s)) or n.nspname || '.' || c.relname = any(%(platform_tables)s))
), counted as (
  select t.*, (xpath('/row/n/text()', query_to_xml(format('select count(*) as n from %%I.%%I', t.schema, t.name), false, true, '')))[1]::text::bigint as rows
  from tables t
), groups as (
  select case when qualname = any(%(platform_tables)s) then qualname else schema end as label, schema, name, rows from counted
  union all
  select n.nspname, n.nspname, null, 0 from pg_namespace n
  where n.nspname !~ '^pg_' and n.nspname <> all(%(platform)s)
)
select label,
       count(name) as tables,
       (select count(*) from pg_policies p where p.schemaname = g.schema and (g.label = g.schema or p.tablename = split_part(g.label, '.', 2))) as policies,
       case when g.label = g.schema then (select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
             where n.nspname = g.schema and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')) else 0 end as functions,
       coalesce(sum(rows), 0)::bigint as rows
from groups g
group by label, schema
order by label <> 'public', label like '%%.%%', label
