create schema app;
create table app.scores (id int primary key, score int);
create procedure app.reset_all() language sql as $$ update app.scores set score = null $$;
