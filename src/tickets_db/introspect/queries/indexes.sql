-- Indexes that do not back a primary key, unique or exclusion constraint.
select i.indrelid as oid,
       ic.relname as name,
       array(select pg_get_indexdef(i.indexrelid, k, true) from generate_series(1, i.indnkeyatts) k order by k) as columns,
       i.indisunique as "unique",
       am.amname as method,
       pg_get_expr(i.indpred, i.indrelid, true) as "where"
from pg_index i
join pg_class ic on ic.oid = i.indexrelid
join pg_am am on am.oid = ic.relam
where i.indrelid = any(%(oids)s)
  and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid and c.contype in ('p', 'u', 'x'))
order by i.indrelid, ic.relname
