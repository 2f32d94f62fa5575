-- What new objects get: per role (and schema, or everywhere), per kind of object, who gets
-- which privileges (the owning role's own left out).
select pg_get_userbyid(a.defaclrole) as role,
       n.nspname as schema,
       case a.defaclobjtype when 'r' then 'tables' when 'S' then 'sequences' when 'f' then 'functions' when 'T' then 'types' when 'n' then 'schemas' end as "on",
       array(
         select case when g.grantee = 0 then 'public' else pg_get_userbyid(g.grantee) end || '=' || lower(g.privilege_type) || case when g.is_grantable then '*' else '' end
         from aclexplode(a.defaclacl) g
         where g.grantee <> a.defaclrole
         order by 1
       ) as grants
from pg_default_acl a
left join pg_namespace n on n.oid = a.defaclnamespace
order by 1, 2 nulls first, 3
