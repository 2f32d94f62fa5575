create schema app;
create unlogged table app.cache (k text primary key, v jsonb);
