create schema app;
create table app.scores (id int primary key, score int);
create function app.reset_all() returns void language sql as $$ update app.scores set score = null $$;
