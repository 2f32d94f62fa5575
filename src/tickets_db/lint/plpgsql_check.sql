-- Every PL/pgSQL function of the given schemas through plpgsql_check; trigger functions are
-- checked against a table they are attached to (unattached ones cannot be checked).
select n.nspname || '.' || p.proname as function,
       p.oid::regprocedure::text as signature,
       r.lineno, r.level, r.message, r.hint
from pg_proc p
join pg_namespace n on n.oid = p.pronamespace
join pg_language l on l.oid = p.prolang
left join lateral (select t.tgrelid from pg_trigger t where t.tgfoid = p.oid order by t.oid limit 1) tr on true
cross join lateral extensions.plpgsql_check_function_tb(p.oid, coalesce(tr.tgrelid, 0)) r
where l.lanname = 'plpgsql'
  and n.nspname = any(%(schemas)s)
  and (p.prorettype <> 'trigger'::regtype or tr.tgrelid is not null)
order by 1, 2, 3
