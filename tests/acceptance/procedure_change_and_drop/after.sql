create schema app;
create table app.scores (id int primary key, score int);
create procedure app.clear_scores() language sql as $$ update app.scores set score = 0 $$;
