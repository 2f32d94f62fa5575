create schema app;
create extension citext schema app;
comment on extension citext is 'ours';
