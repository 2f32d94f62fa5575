create schema app;
create function app.add(a integer, b integer) returns integer language sql immutable return a + b;
create function app.two() returns integer language sql begin atomic select 1; select 2; end;
