select a.attrelid as oid,
       a.attname as name,
       format_type(a.atttypid, a.atttypmod) as type,
       a.attnotnull as not_null,
       case when a.attgenerated = '' then pg_get_expr(d.adbin, d.adrelid) end as "default",
       case a.attidentity when 'a' then 'always' when 'd' then 'by default' end as identity,
       case when a.attgenerated = 's' then pg_get_expr(d.adbin, d.adrelid) end as generated,
       ds.description as comment,
       case when sq.deptype = 'a' then sq.relname end as owned_sequence,
       sq.relname as sequence,
       sq.grants as sequence_grants,
       c.relname as relation,
       -- `case` first: a subquery in the select list runs for every row (a third of the query)
       case when a.attcollation <> ty.typcollation then
       (select case when cn.nspname = 'pg_catalog' then co.collname else cn.nspname || '.' || co.collname end
        from pg_collation co join pg_namespace cn on cn.oid = co.collnamespace
        where co.oid = a.attcollation) end as collation,
       case when a.attidentity <> '' then
       (select array[s.seqstart::text, s.seqincrement::text, s.seqmin::text, s.seqmax::text, s.seqcache::text, s.seqcycle::text,
                     case ty.typname when 'int2' then '32767' when 'int4' then '2147483647' else '9223372036854775807' end,
                     case ty.typname when 'int2' then '-32768' when 'int4' then '-2147483648' else '-9223372036854775808' end]
        from pg_depend dep join pg_sequence s on s.seqrelid = dep.objid
        where a.attidentity <> '' and dep.classid = 'pg_class'::regclass and dep.refclassid = 'pg_class'::regclass
          and dep.refobjid = a.attrelid and dep.refobjsubid = a.attnum and dep.deptype = 'i'
        limit 1) end as identity_sequence,
       case when a.attacl is null then '{}'::text[] else array(
         select case when g.grantee = 0 then 'public' else pg_get_userbyid(g.grantee) end || '=' || lower(g.privilege_type) || case when g.is_grantable then '*' else '' end
         from aclexplode(a.attacl) g
         order by 1
       ) end as grants
from pg_attribute a
join pg_class c on c.oid = a.attrelid
join pg_type ty on ty.oid = a.atttypid
left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
-- the sequence the column owns (a serial's, 'a') or is (an identity's, 'i')
left join lateral (
  select s.relname, dep.deptype,
         array(
           select case when g.grantee = 0 then 'public' else pg_get_userbyid(g.grantee) end || '=' || lower(g.privilege_type) || case when g.is_grantable then '*' else '' end
           from aclexplode(coalesce(s.relacl, acldefault('s', s.relowner))) g
           where g.grantee <> s.relowner
           order by 1
         ) as grants
  from pg_depend dep join pg_class s on s.oid = dep.objid and s.relkind = 'S'
  where (a.attidentity <> '' or d.adrelid is not null)  -- no default, no sequence: not even looked for
    and dep.classid = 'pg_class'::regclass and dep.refclassid = 'pg_class'::regclass and dep.deptype in ('a', 'i')
    and dep.refobjid = a.attrelid and dep.refobjsubid = a.attnum and s.relnamespace = c.relnamespace
  limit 1
) sq on true
-- a join, not col_description(): that is an SQL function called once per column (a third of the query)
left join pg_description ds on ds.objoid = a.attrelid and ds.classoid = 'pg_class'::regclass and ds.objsubid = a.attnum
where a.attrelid = any(%(oids)s) and a.attnum > 0 and not a.attisdropped
  and a.attislocal  -- a partition's or an inheriting table's columns from its parent come with the parent
order by a.attrelid, a.attnum
