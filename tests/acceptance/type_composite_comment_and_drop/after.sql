create schema app;
create type app.pair as (a integer);
comment on type app.pair is 'one thing';
