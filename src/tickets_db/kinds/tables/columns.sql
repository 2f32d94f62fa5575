select a.attrelid as oid,
       a.attname as name,
       format_type(a.atttypid, a.atttypmod) as type,
       a.attnotnull as not_null,
       case when a.attgenerated = '' then pg_get_expr(d.adbin, d.adrelid) end as "default",
       case a.attidentity when 'a' then 'always' when 'd' then 'by default' end as identity,
       case when a.attgenerated = 's' then pg_get_expr(d.adbin, d.adrelid) end as generated,
       col_description(a.attrelid, a.attnum) as comment,
       (select s.relname from pg_depend dep join pg_class s on s.oid = dep.objid and s.relkind = 'S'
        where dep.classid = 'pg_class'::regclass and dep.refclassid = 'pg_class'::regclass and dep.deptype = 'a'
          and dep.refobjid = a.attrelid and dep.refobjsubid = a.attnum and s.relnamespace = c.relnamespace
        limit 1) as owned_sequence,
       c.relname as relation,
       array(
         select case when g.grantee = 0 then 'public' else pg_get_userbyid(g.grantee) end || '=' || lower(g.privilege_type) || case when g.is_grantable then '*' else '' end
         from aclexplode(a.attacl) g
         order by 1
       ) as grants
from pg_attribute a
join pg_class c on c.oid = a.attrelid
left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
where a.attrelid = any(%(oids)s) and a.attnum > 0 and not a.attisdropped
order by a.attrelid, a.attnum
