create schema app;
create type app.pair as (a integer, b text);
comment on type app.pair is 'two things';
