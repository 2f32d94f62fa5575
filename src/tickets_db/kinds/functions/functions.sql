select p.oid,
       n.nspname as schema,
       p.proname as name,
       l.lanname as language,
       case when p.prosqlbody is not null then pg_get_function_sqlbody(p.oid) else p.prosrc end as body,
       p.provolatile as volatility,
       p.prosecdef as security_definer,
       p.proisstrict as strict,
       p.proretset as returns_set,
       format_type(p.prorettype, null) as returns,
       coalesce(p.proconfig, '{}') as config,
       coalesce(p.proargnames, '{}') as arg_names,
       array(select format_type(t, null) from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) with ordinality u(t, i) order by i) as arg_types,
       coalesce(p.proargmodes::text[], '{}') as arg_modes,
       array(select pg_get_function_arg_default(p.oid, k)
             from generate_series(1, coalesce(array_length(p.proallargtypes, 1), p.pronargs)) k order by k) as arg_defaults,
       obj_description(p.oid, 'pg_proc') as comment,
       p.prokind = 'p' as procedure,
       array(
         select case when g.grantee = 0 then 'public' else pg_get_userbyid(g.grantee) end
         from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) g
         where g.grantee <> p.proowner
         order by 1
       ) as execute
from pg_proc p
join pg_namespace n on n.oid = p.pronamespace
join pg_language l on l.oid = p.prolang
where n.nspname = any(%(schemas)s)
  and p.prokind in ('f', 'p')
  and l.lanname not in ('c', 'internal')  -- a C function names a library file: `pull`'s raw SQL
  -- an extension's, or one PostgreSQL made with a type (a range's constructors)
  and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype in ('e', 'i'))
order by 2, 3, p.oid
