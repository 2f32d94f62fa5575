select e.extname as name, n.nspname as schema, e.extversion as version,
       e.extversion is distinct from a.default_version as pinned,  -- not what a plain `create extension` installs here
       -- a comment of the project's own: the one the extension sets itself is left unsaid
       nullif(obj_description(e.oid, 'pg_extension'), a.comment) as comment,
       a.comment as own_comment
from pg_extension e
join pg_namespace n on n.oid = e.extnamespace
left join pg_available_extensions a on a.name = e.extname
where n.nspname = any(%(schemas)s)
   or n.nspname = 'extensions'  -- the platform's schema for them
   or (n.nspname = 'pg_catalog' and e.extname <> 'plpgsql')  -- procedural languages (plperl, plv8…)
order by e.extname
