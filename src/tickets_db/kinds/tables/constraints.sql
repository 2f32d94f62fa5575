select con.conrelid as oid,
       con.conname as name,
       con.contype as kind,
       array(select a.attname from unnest(con.conkey) with ordinality k(n, i)
             join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.i) as columns,
       case when con.contype = 'f' then (select rn.nspname || '.' || r.relname from pg_class r join pg_namespace rn on rn.oid = r.relnamespace where r.oid = con.confrelid) end as ref_table,
       case when con.contype = 'f' then array(select a.attname from unnest(con.confkey) with ordinality k(n, i)
             join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.n order by k.i) else '{}' end as ref_columns,
       nullif(con.confdeltype, ' ') as on_delete,
       nullif(con.confupdtype, ' ') as on_update,
       case con.contype
         when 'c' then pg_get_expr(con.conbin, con.conrelid)
         -- `using gist (during with &&) where (…)`: the definition without the keyword and the
         -- deferral options, which are read on their own
         when 'x' then regexp_replace(regexp_replace(pg_get_constraintdef(con.oid), '^EXCLUDE ', ''), '( DEFERRABLE)?( INITIALLY DEFERRED)?$', '')
       end as expression,
       con.condeferrable as deferrable,
       con.condeferred as initially_deferred,
       not con.convalidated as not_valid,
       con.contype = 'c' and con.connoinherit as no_inherit,
       ds.description as comment
from pg_constraint con
-- a join, not obj_description(): that is an SQL function called once per row
left join pg_description ds on ds.objoid = con.oid and ds.classoid = 'pg_constraint'::regclass and ds.objsubid = 0
where con.conrelid = any(%(oids)s) and con.contype in ('p', 'u', 'f', 'c', 'x')
  and con.conislocal and con.conparentid = 0  -- not one a parent table's passes down
order by con.conrelid, con.conname
