create schema app;
create type app.floatrange as range (subtype = float8);
