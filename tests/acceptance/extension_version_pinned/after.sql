create schema app;
create extension hstore schema app version '1.8';
create table app.t (id int primary key, attrs app.hstore);
