create schema app;
create table app.people (id int primary key, team text not null, score int);
create materialized view app.team_scores as select team, sum(score) as total, count(*) as members from app.people group by team;
create index team_scores_total on app.team_scores (total);
create view app.top as select * from app.team_scores where total > 10;
