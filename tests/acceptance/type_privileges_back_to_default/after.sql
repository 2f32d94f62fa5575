create schema app;
create type app.mood as enum ('ok', 'sad');
create type app.pair as (a int, b int);
create type app.span as range (subtype = int4);
create domain app.positive as int check (value > 0);
