-- Indexes that do not back a primary key, unique or exclusion constraint.
select i.indrelid as oid,
       ic.relname as name,
       -- a key column's definition omits its operator class and ordering: add them as written
       array(select pg_get_indexdef(i.indexrelid, k, true)
                    || case when oc.opcdefault then '' else ' ' || quote_ident(ocn.nspname) || '.' || quote_ident(oc.opcname) end
                    || case when i.indoption[k - 1] & 1 = 1 then ' DESC' else '' end
                    || case when i.indoption[k - 1] & 3 = 2 then ' NULLS FIRST' when i.indoption[k - 1] & 3 = 1 then ' NULLS LAST' else '' end
             from generate_series(1, i.indnkeyatts) k
             join pg_opclass oc on oc.oid = i.indclass[k - 1]
             join pg_namespace ocn on ocn.oid = oc.opcnamespace
             order by k) as columns,
       i.indisunique as "unique",
       am.amname as method,
       pg_get_expr(i.indpred, i.indrelid, true) as "where",
       obj_description(i.indexrelid, 'pg_class') as comment
from pg_index i
join pg_class ic on ic.oid = i.indexrelid
join pg_am am on am.oid = ic.relam
where i.indrelid = any(%(oids)s)
  and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid and c.contype in ('p', 'u', 'x'))
  and not exists (select 1 from pg_inherits ih where ih.inhrelid = i.indexrelid)  -- a partition's part of its parent's index
order by i.indrelid, ic.relname
