-- Where a table's reference rows are: the table, or, before a rename the YAML announces has
-- run, the table under its old name; with the columns it has now.
select n.nspname as schema,
       c.relname as name,
       array(select a.attname::text from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped) as columns
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
where c.oid = coalesce(to_regclass(%(table)s), to_regclass(%(old)s))
