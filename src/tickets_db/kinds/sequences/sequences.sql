-- Sequences of the given schemas that are not an identity column's (those come with their
-- column); a serial's own is left out when its column is read as serial (introspect does that).
select n.nspname as schema,
       c.relname as name,
       format_type(s.seqtypid, null) as type,
       array[s.seqstart::text, s.seqincrement::text, s.seqmin::text, s.seqmax::text, s.seqcache::text, s.seqcycle::text] as options,
       (select rn.nspname || '.' || r.relname || '.' || a.attname
        from pg_depend d
        join pg_class r on r.oid = d.refobjid
        join pg_namespace rn on rn.oid = r.relnamespace
        join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
        where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.refclassid = 'pg_class'::regclass and d.deptype = 'a') as owned_by,
       array(
         select case when g.grantee = 0 then 'public' else pg_get_userbyid(g.grantee) end || '=' || lower(g.privilege_type) || case when g.is_grantable then '*' else '' end
         from aclexplode(coalesce(c.relacl, acldefault('s', c.relowner))) g
         where g.grantee <> c.relowner
         order by 1
       ) as grants,
       obj_description(c.oid, 'pg_class') as comment
from pg_sequence s
join pg_class c on c.oid = s.seqrelid
join pg_namespace n on n.oid = c.relnamespace
where n.nspname = any(%(schemas)s)
  and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('e', 'i'))
order by 1, 2
