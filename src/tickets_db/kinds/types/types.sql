-- Composite types (not a table's row type) and range types of the given schemas, with their
-- attributes / subtype, as format_type prints them; an extension's own are left out.
select n.nspname as schema,
       t.typname as name,
       t.typtype as kind,
       array(select array[a.attname::text, format_type(a.atttypid, a.atttypmod)]
             from pg_attribute a where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped order by a.attnum) as attributes,
       format_type(r.rngsubtype, null) as subtype,
       (select m.typname from pg_type m where m.oid = r.rngmultitypid) as multirange,
       case when r.rngsubdiff <> 0 then r.rngsubdiff::regproc::text end as subtype_diff,
       array(
         select case when g.grantee = 0 then 'public' else pg_get_userbyid(g.grantee) end || '=' || lower(g.privilege_type) || case when g.is_grantable then '*' else '' end
         from aclexplode(coalesce(t.typacl, acldefault('T', t.typowner))) g
         where g.grantee <> t.typowner
         order by 1
       ) as grants,
       obj_description(t.oid, 'pg_type') as comment
from pg_type t
join pg_namespace n on n.oid = t.typnamespace
left join pg_class c on c.oid = t.typrelid
left join pg_range r on r.rngtypid = t.oid
where n.nspname = any(%(schemas)s)
  and ((t.typtype = 'c' and c.relkind = 'c') or t.typtype = 'r')
  and not exists (select 1 from pg_depend d where d.classid = 'pg_type'::regclass and d.objid = t.oid and d.deptype = 'e')
order by 1, 2
