create schema app;
create table app.tickets (id int primary key, status text, title text, secret text);
create table app.messages (id int primary key, body text);
create publication app_changes for table app.tickets (id, status, title) where (status <> 'closed'), table app.messages with (publish = 'insert, update');
comment on publication app_changes is 'for the dashboard';
