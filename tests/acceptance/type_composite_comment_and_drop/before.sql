create schema app;
create type app.pair as (a integer);
create type app.gone as (x text);
