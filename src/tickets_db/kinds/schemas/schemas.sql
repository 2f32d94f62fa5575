select n.nspname as name,
       obj_description(n.oid, 'pg_namespace') as comment,
       array(
         select case when g.grantee = 0 then 'public' else pg_get_userbyid(g.grantee) end || '=' || lower(g.privilege_type) || case when g.is_grantable then '*' else '' end
         from aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) g
         where g.grantee <> n.nspowner
         order by 1
       ) as grants
from pg_namespace n
where n.nspname = any(%(schemas)s)
order by n.nspname
