-- A table's row estimate (null when never analyzed) and its names, for an exact count.
select case when c.reltuples < 0 then null else c.reltuples::bigint end as estimate,
       n.nspname as schema,
       c.relname as name
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
where c.oid = to_regclass(%(table)s)
