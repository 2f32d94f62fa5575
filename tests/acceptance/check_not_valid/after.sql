create schema app;
create table app.t (id bigint primary key, n integer);
alter table app.t add constraint t_n_positive check (n > 0) not valid;
