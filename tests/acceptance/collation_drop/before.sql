create schema app;
create collation app.gone (locale = 'C');
