-- Tables of other schemas (the platform's auth.users, storage.objects…) that the given schemas
-- attach policies to, or triggers calling their functions.
select n.nspname || '.' || c.relname as name
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p')
  and not (n.nspname = any(%(schemas)s))
  and n.nspname not in ('pg_catalog', 'information_schema')
  and (exists (select 1 from pg_policy p where p.polrelid = c.oid)
       or exists (select 1 from pg_trigger t join pg_proc f on f.oid = t.tgfoid join pg_namespace fn on fn.oid = f.pronamespace
                  where t.tgrelid = c.oid and not t.tgisinternal and fn.nspname = any(%(schemas)s)))
order by 1
