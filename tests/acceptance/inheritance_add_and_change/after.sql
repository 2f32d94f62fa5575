create schema app;
create table app.base (id int primary key, created_at timestamptz default now());
create table app.other (note text);
create table app.child (extra text) inherits (app.base);
create table app.grandchild (more int) inherits (app.child, app.other);
