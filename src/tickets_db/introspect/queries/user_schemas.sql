select n.nspname as name
from pg_namespace n
where n.nspname <> all(%(platform)s)
  and n.nspname not like 'pg\_%%'
  and not exists (select 1 from pg_depend d where d.objid = n.oid and d.deptype = 'e')
order by 1
