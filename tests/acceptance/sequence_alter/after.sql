create schema app;
create sequence app.numbers as bigint start with 1000 increment by 10 maxvalue 1000000;
create sequence app.other;
grant usage on sequence app.other to service_role;
