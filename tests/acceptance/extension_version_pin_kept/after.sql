create schema app;
create extension hstore schema app version '1.7';
