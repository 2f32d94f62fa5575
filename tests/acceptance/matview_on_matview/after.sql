create schema app;
create table app.people (id int primary key, team text not null, score int);
create materialized view app.base as select team, score from app.people where score is not null;
create materialized view app.summary as select team, avg(score) as mean from app.base group by team;
