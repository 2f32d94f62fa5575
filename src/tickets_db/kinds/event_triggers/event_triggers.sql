-- Every event trigger of the database (they belong to it, not to a schema) but an extension's.
select e.evtname as name,
       e.evtevent as event,
       coalesce(e.evttags, '{}') as tags,
       pn.nspname || '.' || p.proname as function,
       e.evtenabled <> 'D' as enabled,
       obj_description(e.oid, 'pg_event_trigger') as comment
from pg_event_trigger e
join pg_proc p on p.oid = e.evtfoid
join pg_namespace pn on pn.oid = p.pronamespace
where not exists (select 1 from pg_depend d where d.classid = 'pg_event_trigger'::regclass and d.objid = e.oid and d.deptype = 'e')
order by 1
