-- Sequences a column owns (serial columns): pulled back as `serial` rather than as a default
-- calling a sequence the YAML never creates.
select format('%%I.%%I', tn.nspname, t.relname) as "table", a.attname as "column",
       format('%%I.%%I', sn.nspname, s.relname) as sequence, s.relname as sequence_name
from pg_depend d
join pg_class s on s.oid = d.objid and s.relkind = 'S'
join pg_namespace sn on sn.oid = s.relnamespace
join pg_class t on t.oid = d.refobjid
join pg_namespace tn on tn.oid = t.relnamespace
join pg_attribute a on a.attrelid = t.oid and a.attnum = d.refobjsubid
where d.classid = 'pg_class'::regclass and d.refclassid = 'pg_class'::regclass and d.deptype = 'a'
  and tn.nspname = any(%(schemas)s)
order by 1, 2
