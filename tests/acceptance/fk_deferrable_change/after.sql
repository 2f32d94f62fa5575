create schema app;
create table app.p (id bigint primary key);
create table app.c (id bigint primary key, p bigint, constraint c_p_fkey foreign key (p) references app.p (id) deferrable);
create table app.k (id bigint primary key, n int, constraint k_n check (n > 0));
