create schema app;
create table app.people (id int primary key, name text, constraint name_length check (length(name) < 100));
create index people_name on app.people (name);
comment on index app.people_name is 'lookups';
comment on constraint name_length on app.people is 'names fit a badge';
