create schema app;
create sequence app.numbers as integer start with 1000 increment by 5;
create sequence app.other maxvalue 500 cycle;
