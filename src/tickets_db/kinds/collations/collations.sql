select n.nspname as schema,
       c.collname as name,
       case c.collprovider when 'i' then 'icu' else 'libc' end as provider,
       coalesce(c.colliculocale, c.collcollate) as locale,
       case when c.collprovider = 'c' and c.collctype is distinct from c.collcollate then c.collctype end as ctype,
       c.collisdeterministic as deterministic,
       obj_description(c.oid, 'pg_collation') as comment
from pg_collation c
join pg_namespace n on n.oid = c.collnamespace
where n.nspname = any(%(schemas)s)
  and not exists (select 1 from pg_depend d where d.classid = 'pg_collation'::regclass and d.objid = c.oid and d.deptype = 'e')
order by 1, 2
