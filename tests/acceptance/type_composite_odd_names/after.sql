create schema app;
create type app."My Type" as ("select" varchar(10)[], "Ünïcode ""q""" text, "a;b" int);
