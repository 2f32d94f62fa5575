-- What depends on what among the database's own objects (oids past the bootstrap ones), each
-- named as the operations name it: `table s.t`, `column s.t.c`, `view s.v`, `function s.f(types)`,
-- `policy s.t.p`, `trigger s.t.tr`, `constraint s.t.k`, `index s.t.i`, `type s.e` (enums, composite,
-- range and multirange types), `domain s.d`.
-- A view's dependencies are recorded on its rewrite rule; a default's on its pg_attrdef row.
with named(classid, objid, objsubid, name, owner) as (
  select 'pg_class'::regclass, c.oid, 0,
         case
           when c.relkind = 'v' then 'view ' || n.nspname || '.' || c.relname
           when c.relkind = 'm' then 'materialized view ' || n.nspname || '.' || c.relname
           when c.relkind = 'c' then 'type ' || n.nspname || '.' || c.relname
           when c.relkind = 'S' then 'sequence ' || n.nspname || '.' || c.relname
           when c.relkind = 'i' then
             case when exists (select from pg_constraint k where k.conindid = c.oid and k.conrelid = t.oid and k.conname = c.relname and k.contype in ('p', 'u', 'x'))
                  then 'constraint ' else 'index ' end || tn.nspname || '.' || t.relname || '.' || c.relname
           else 'table ' || n.nspname || '.' || c.relname
         end, null::text
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
  left join pg_index x on x.indexrelid = c.oid
  left join pg_class t on t.oid = x.indrelid
  left join pg_namespace tn on tn.oid = t.relnamespace
  where c.oid >= 16384 and c.relkind in ('r', 'p', 'v', 'm', 'i', 'c', 'S')
  union all
  select 'pg_class'::regclass, c.oid, a.attnum::int,
         case c.relkind when 'v' then 'view ' when 'm' then 'materialized view ' when 'c' then 'type ' else 'column ' end || n.nspname || '.' || c.relname
         || case when c.relkind in ('v', 'm', 'c') then '' else '.' || a.attname end,
         case when c.relkind in ('r', 'p') then 'table ' || n.nspname || '.' || c.relname end
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
  join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
  where c.oid >= 16384 and c.relkind in ('r', 'p', 'v', 'm', 'c')
  union all
  select 'pg_rewrite'::regclass, r.oid, 0, case c.relkind when 'm' then 'materialized view ' else 'view ' end || n.nspname || '.' || c.relname, null::text
  from pg_rewrite r join pg_class c on c.oid = r.ev_class join pg_namespace n on n.oid = c.relnamespace
  where r.oid >= 16384 and c.relkind in ('v', 'm')
  union all
  select 'pg_attrdef'::regclass, d.oid, 0, 'column ' || n.nspname || '.' || c.relname || '.' || a.attname, null::text
  from pg_attrdef d
  join pg_class c on c.oid = d.adrelid join pg_namespace n on n.oid = c.relnamespace
  join pg_attribute a on a.attrelid = d.adrelid and a.attnum = d.adnum
  where d.oid >= 16384
  union all
  select 'pg_proc'::regclass, p.oid, 0,
         case p.prokind when 'p' then 'procedure ' else 'function ' end || n.nspname || '.' || p.proname || '(' ||
         array_to_string(array(select format_type(t, null) from unnest(p.proargtypes::oid[]) with ordinality u(t, i) order by i), ', ') || ')', null::text
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where p.oid >= 16384
  union all
  select 'pg_policy'::regclass, p.oid, 0, 'policy ' || n.nspname || '.' || c.relname || '.' || p.polname, null::text
  from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace
  union all
  select 'pg_trigger'::regclass, g.oid, 0, 'trigger ' || n.nspname || '.' || c.relname || '.' || g.tgname, null::text
  from pg_trigger g join pg_class c on c.oid = g.tgrelid join pg_namespace n on n.oid = c.relnamespace
  where not g.tgisinternal
  union all
  select 'pg_constraint'::regclass, k.oid, 0,
         case when k.conrelid <> 0 then 'constraint ' || n.nspname || '.' || c.relname || '.' || k.conname
              else 'domain ' || tn.nspname || '.' || ty.typname end, null::text
  from pg_constraint k
  left join pg_class c on c.oid = k.conrelid left join pg_namespace n on n.oid = c.relnamespace
  left join pg_type ty on ty.oid = k.contypid left join pg_namespace tn on tn.oid = ty.typnamespace
  where k.oid >= 16384
  union all
  select 'pg_collation'::regclass, co.oid, 0, 'collation ' || n.nspname || '.' || co.collname, null::text
  from pg_collation co join pg_namespace n on n.oid = co.collnamespace
  where co.oid >= 16384
  union all
  select 'pg_type'::regclass, ty.oid, 0, case ty.typtype when 'd' then 'domain ' else 'type ' end || n.nspname || '.' || ty.typname, null::text
  from pg_type ty join pg_namespace n on n.oid = ty.typnamespace
  where ty.oid >= 16384 and (ty.typtype in ('e', 'd', 'r', 'm') or (ty.typtype = 'c' and exists (select from pg_class k where k.oid = ty.typrelid and k.relkind = 'c')))
)
-- what depends on a column depends on its table too: it goes before the table is dropped
select distinct dep.name as dependant, x.name as dependency
from pg_depend d
join named dep on dep.classid = d.classid and dep.objid = d.objid and dep.objsubid = d.objsubid
join named ref on ref.classid = d.refclassid and ref.objid = d.refobjid and ref.objsubid = d.refobjsubid
cross join lateral (values (ref.name), (ref.owner)) x(name)
where d.deptype in ('n', 'a') and d.objid >= 16384 and d.refobjid >= 16384 and x.name is not null and dep.name <> x.name
order by 1, 2
