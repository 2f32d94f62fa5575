create schema app;
create table app.node (id bigint primary key, parent bigint references app.node (id));
