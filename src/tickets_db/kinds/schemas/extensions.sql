select e.extname as name, n.nspname as schema, e.extversion as version,
       e.extversion is distinct from a.default_version as pinned  -- not what a plain `create extension` installs here
from pg_extension e
join pg_namespace n on n.oid = e.extnamespace
left join pg_available_extensions a on a.name = e.extname
where n.nspname = any(%(schemas)s)
   or n.nspname = 'extensions'  -- the platform's schema for them
   or (n.nspname = 'pg_catalog' and e.extname <> 'plpgsql')  -- procedural languages (plperl, plv8…)
order by e.extname
