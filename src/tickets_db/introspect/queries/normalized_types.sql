-- Type names as PostgreSQL prints them (`varchar(50)` → `character varying`), for function identities.
select t, format_type(to_regtype(t), null) from unnest(%(types)s::text[]) t
