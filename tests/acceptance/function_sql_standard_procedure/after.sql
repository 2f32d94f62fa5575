create schema app;
create table app.scores (id int primary key, score int);
create procedure app.zero(target int) language sql begin atomic update app.scores set score = 0 where id = target; end;
