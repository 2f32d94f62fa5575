select n.nspname as schema,
       t.typname as name,
       format_type(t.typbasetype, t.typtypmod) as type,
       t.typnotnull as not_null,
       t.typdefault as "default",
       (select pg_get_expr(c.conbin, 0) from pg_constraint c where c.contypid = t.oid and c.contype = 'c' order by c.conname limit 1) as "check",
       obj_description(t.oid, 'pg_type') as comment
from pg_type t
join pg_namespace n on n.oid = t.typnamespace
where t.typtype = 'd'
  and n.nspname = any(%(schemas)s)
  and not exists (select 1 from pg_depend d where d.classid = 'pg_type'::regclass and d.objid = t.oid and d.deptype = 'e')
order by 1, 2
