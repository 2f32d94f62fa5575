create schema app;
create sequence app.gone start with 5;
