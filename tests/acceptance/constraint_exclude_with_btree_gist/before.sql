create schema app;
create extension btree_gist schema public;
