select n.nspname as schema,
       t.typname as name,
       array(select e.enumlabel from pg_enum e where e.enumtypid = t.oid order by e.enumsortorder) as values,
       array(
         select case when g.grantee = 0 then 'public' else pg_get_userbyid(g.grantee) end || '=' || lower(g.privilege_type) || case when g.is_grantable then '*' else '' end
         from aclexplode(coalesce(t.typacl, acldefault('T', t.typowner))) g
         where g.grantee <> t.typowner
         order by 1
       ) as grants,
       obj_description(t.oid, 'pg_type') as comment
from pg_type t
join pg_namespace n on n.oid = t.typnamespace
where t.typtype = 'e'
  and n.nspname = any(%(schemas)s)
  and not exists (select 1 from pg_depend d where d.classid = 'pg_type'::regclass and d.objid = t.oid and d.deptype = 'e')
order by 1, 2
