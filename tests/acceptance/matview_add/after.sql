create schema app;
create table app.people (id int primary key, team text not null, score int);
create materialized view app.team_scores as select team, sum(score) as total from app.people group by team;
create unique index team_scores_team on app.team_scores (team);
comment on materialized view app.team_scores is 'per team';
grant select on app.team_scores to authenticated;
