select t.tgrelid as oid,
       t.tgname as name,
       t.tgtype as type,
       array(select a.attname from unnest(t.tgattr::int2[]) with ordinality k(n, i)
             join pg_attribute a on a.attrelid = t.tgrelid and a.attnum = k.n order by k.i) as columns,
       pg_get_triggerdef(t.oid) as definition,
       pn.nspname || '.' || p.proname as function,
       case when t.tgnargs > 0 then string_to_array(rtrim(encode(t.tgargs, 'escape'), '\000'), '\000') else '{}' end as arguments,
       obj_description(t.oid, 'pg_trigger') as comment
from pg_trigger t
join pg_proc p on p.oid = t.tgfoid
join pg_namespace pn on pn.oid = p.pronamespace
where t.tgrelid = any(%(oids)s) and not t.tgisinternal and t.tgparentid = 0  -- not a partition's copy of its parent's
order by t.tgrelid, t.tgname
