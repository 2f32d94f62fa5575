create schema app;
create collation app.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
create collation app.plain (locale = 'C');
comment on collation app.plain is 'bytes';
create table app.users (id int primary key, email text collate app.ci unique, code text collate app.plain);
