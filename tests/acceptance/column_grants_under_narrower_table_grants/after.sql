-- update taken away from the table and given back on one column: the table's `revoke all`
-- also takes column privileges, so it must come first
create schema app;
create table app.tickets (id integer primary key, title text, created_at timestamptz);
grant select on app.tickets to authenticated;
grant update (title) on app.tickets to authenticated;
