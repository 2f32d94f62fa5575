-- the extension's own comment again
create schema app;
create extension citext schema app;
