-- Tables of the managed schemas, plus the platform tables the project attaches policies or triggers to.
select c.oid,
       n.nspname as schema,
       c.relname as name,
       c.relrowsecurity as rls,
       c.relforcerowsecurity as force_rls,
       c.relpersistence = 'u' as unlogged,
       lower(pg_get_partkeydef(c.oid)) as partition_by,
       (select pn.nspname || '.' || p.relname from pg_inherits i join pg_class p on p.oid = i.inhparent join pg_namespace pn on pn.oid = p.relnamespace
        where i.inhrelid = c.oid and c.relispartition) as partition_of,
       case when c.relispartition then regexp_replace(pg_get_expr(c.relpartbound, c.oid, true), '^FOR VALUES ', '') end as partition_bound,
       array(select pn.nspname || '.' || p.relname from pg_inherits i join pg_class p on p.oid = i.inhparent join pg_namespace pn on pn.oid = p.relnamespace
             where i.inhrelid = c.oid and not c.relispartition order by i.inhseqno) as inherits,
       case c.relreplident when 'f' then 'full' when 'n' then 'nothing'
         when 'i' then (select 'index ' || ic.relname from pg_index x join pg_class ic on ic.oid = x.indexrelid where x.indrelid = c.oid and x.indisreplident)
         else 'default' end as replica_identity,
       ds.description as comment,
       array(
         select case when g.grantee = 0 then 'public' else pg_get_userbyid(g.grantee) end || '=' || lower(g.privilege_type) || case when g.is_grantable then '*' else '' end
         from aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) g
         where g.grantee <> c.relowner
         order by 1
       ) as grants,
       not (n.nspname = any(%(schemas)s)) as external
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
left join pg_description ds on ds.objoid = c.oid and ds.classoid = 'pg_class'::regclass and ds.objsubid = 0
where c.relkind in ('r', 'p')
  and (n.nspname = any(%(schemas)s) or (n.nspname || '.' || c.relname) = any(%(external)s))
  and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
order by 2, 3
