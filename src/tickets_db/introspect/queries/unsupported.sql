-- Objects of the given schemas that the YAML language cannot express (and the model does not
-- read), each with SQL that recreates it, so `pull` can keep them as a raw SQL file; types
-- first, then what may use them.
with rel as (
  select c.oid, c.relkind, format('%%I.%%I', n.nspname, c.relname) as name
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where n.nspname = any(%(schemas)s)
    and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
)
select kind, name, sql from (
select 'foreign table' as kind, rel.name, format('-- %%s: a foreign table; write its server and definition here by hand', rel.name) as sql
from rel where rel.relkind = 'f'
union all
select 'function in ' || l.lanname,
       format('%%I.%%I(%%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)),
       rtrim(pg_get_functiondef(p.oid), E'\n ') || ';'
from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_language l on l.oid = p.prolang
where n.nspname = any(%(schemas)s)
  and p.prokind in ('f', 'p', 'w') and l.lanname in ('c', 'internal')  -- a library's: the YAML names no files
  -- an extension's, or one PostgreSQL made with a type (a range's constructors): not the project's
  and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype in ('e', 'i'))
union all
select 'aggregate', format('%%I.%%I(%%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)),
       format('create aggregate %%I.%%I(%%s) (sfunc = %%s, stype = %%s%%s%%s);', n.nspname, p.proname,
              pg_get_function_identity_arguments(p.oid), a.aggtransfn::regproc, format_type(a.aggtranstype, null),
              case when a.aggfinalfn <> 0 then ', finalfunc = ' || a.aggfinalfn::regproc::text else '' end,
              case when a.agginitval is not null then ', initcond = ' || quote_literal(a.agginitval) else '' end)
from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_aggregate a on a.aggfnoid = p.oid
where n.nspname = any(%(schemas)s) and p.prokind = 'a'
  and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
union all
select 'rule', format('%%s on %%I.%%I', r.rulename, n.nspname, c.relname), pg_get_ruledef(r.oid, true)
from pg_rewrite r join pg_class c on c.oid = r.ev_class join pg_namespace n on n.oid = c.relnamespace
where n.nspname = any(%(schemas)s) and r.rulename <> '_RETURN'
) found
order by case kind when 'aggregate' then 3
                   when 'rule' then 6
                   else 2 end, 1, 2
