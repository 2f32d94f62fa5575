create schema app;
create table app.people (id int primary key, name text, score int, constraint name_length check (length(name) < 100));
create index people_score on app.people (score);
create function app.touch() returns trigger language plpgsql as $$ begin return new; end $$;
create trigger people_touch before update on app.people for each row execute function app.touch();
alter table app.people enable row level security;
create policy people_read on app.people for select using (true);
comment on index app.people_score is 'for the ranking';
comment on policy people_read on app.people is 'everyone reads */ drop table app.people; --';
