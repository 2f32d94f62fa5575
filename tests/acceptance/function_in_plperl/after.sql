create schema app;
create extension plperl;
create function app.shout(t text) returns text language plperl immutable strict as $$ return uc($_[0]); $$;
