create schema app;
create table app.tickets (id int primary key, status text, title text, secret text);
create table app.messages (id int primary key, body text);
alter publication supabase_realtime add table app.tickets, app.messages;
