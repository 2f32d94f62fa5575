select e.extname as name, n.nspname as schema
from pg_extension e
join pg_namespace n on n.oid = e.extnamespace
where n.nspname = any(%(schemas)s) or n.nspname = 'extensions' -- the platform's schema for them
order by e.extname
