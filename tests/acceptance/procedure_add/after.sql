create schema app;
create table app.scores (id int primary key, score int);
create procedure app.clear_scores(keep int default 0) language sql as $$ update app.scores set score = null where id <> keep $$;
create procedure app.bump() language plpgsql security definer set search_path = '' as $$ begin update app.scores set score = score + 1; commit; end $$;
comment on procedure app.bump() is 'adds one';
revoke all on procedure app.clear_scores(int) from public;
grant execute on procedure app.clear_scores(int) to service_role;
