select p.polrelid as oid,
       p.polname as name,
       case p.polcmd when 'r' then 'select' when 'a' then 'insert' when 'w' then 'update' when 'd' then 'delete' else 'all' end as command,
       array(select case when r = 0 then 'public' else pg_get_userbyid(r) end from unnest(p.polroles) r order by 1) as roles,
       p.polpermissive as permissive,
       pg_get_expr(p.polqual, p.polrelid) as using,
       pg_get_expr(p.polwithcheck, p.polrelid) as with_check,
       obj_description(p.oid, 'pg_policy') as comment
from pg_policy p
where p.polrelid = any(%(oids)s)
order by p.polrelid, p.polname
