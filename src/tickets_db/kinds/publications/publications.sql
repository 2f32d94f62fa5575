-- Every publication of the database, with what it publishes: its tables (with their column
-- lists and row filters), its schemas, its operations.
select p.pubname as name,
       p.puballtables as all_tables,
       array_remove(array[case when p.pubinsert then 'insert' end, case when p.pubupdate then 'update' end,
                          case when p.pubdelete then 'delete' end, case when p.pubtruncate then 'truncate' end], null) as operations,
       p.pubviaroot as via_root,
       obj_description(p.oid, 'pg_publication') as comment,
       array(select array[n.nspname || '.' || c.relname,
                          coalesce(pg_get_expr(r.prqual, r.prrelid), ''),
                          coalesce((select string_agg(a.attname, ',' order by k.i)
                                    from unnest(r.prattrs::int2[]) with ordinality k(n, i)
                                    join pg_attribute a on a.attrelid = r.prrelid and a.attnum = k.n), '')]
             from pg_publication_rel r join pg_class c on c.oid = r.prrelid join pg_namespace n on n.oid = c.relnamespace
             where r.prpubid = p.oid order by 1) as tables,
       array(select n.nspname from pg_publication_namespace pn join pg_namespace n on n.oid = pn.pnnspid
             where pn.pnpubid = p.oid order by 1) as schemas
from pg_publication p
order by 1
