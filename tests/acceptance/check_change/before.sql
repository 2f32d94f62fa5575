create schema app;
create table app.t (id bigint primary key, n integer constraint t_n_check check (n > 0));
