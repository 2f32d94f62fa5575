create schema app;
create table app.scores (id int primary key, score int);
create procedure app.clear_scores() language sql as $$ update app.scores set score = null $$;
create procedure app.gone() language sql as $$ select 1 $$;
