select c.oid,
       n.nspname as schema,
       c.relname as name,
       rtrim(pg_get_viewdef(c.oid, true), ';') as query,
       coalesce('security_invoker=true' = any(c.reloptions) or 'security_invoker=on' = any(c.reloptions), false) as security_invoker,
       coalesce('security_barrier=true' = any(c.reloptions) or 'security_barrier=on' = any(c.reloptions), false) as security_barrier,
       (select substr(o, length('check_option=') + 1) from unnest(c.reloptions) o where o like 'check\_option=%%') as check_option,
       obj_description(c.oid, 'pg_class') as comment,
       array(
         select case when g.grantee = 0 then 'public' else pg_get_userbyid(g.grantee) end || '=' || lower(g.privilege_type) || case when g.is_grantable then '*' else '' end
         from aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) g
         where g.grantee <> c.relowner
         order by 1
       ) as grants,
       c.relkind = 'm' as materialized
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('v', 'm') and n.nspname = any(%(schemas)s)
  and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
order by 2, 3
