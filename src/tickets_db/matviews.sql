-- The database's own materialized views (not the platform's), each with the materialized views
-- its query reads: refreshed in that order.
with mv as (
  select c.oid, n.nspname as schema, c.relname as name
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind = 'm' and n.nspname <> all(%(platform)s) and n.nspname !~ '^pg_'
)
select mv.oid, mv.schema, mv.name,
       array(select distinct dep.oid
             from pg_rewrite r
             join pg_depend d on d.classid = 'pg_rewrite'::regclass and d.objid = r.oid and d.refclassid = 'pg_class'::regclass
             join mv dep on dep.oid = d.refobjid
             where r.ev_class = mv.oid and dep.oid <> mv.oid) as reads
from mv
order by 1
