create schema app;
create table app.tickets (id integer primary key, title text, created_at timestamptz);
grant select, update on app.tickets to authenticated;
