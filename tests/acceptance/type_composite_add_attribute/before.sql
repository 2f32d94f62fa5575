create schema app;
create type app.pair as (a integer);
