create schema app;
create table app.a (id bigint primary key, b_id bigint);
create table app.b (id bigint primary key, a_id bigint references app.a (id));
alter table app.a add constraint a_b_id_fkey foreign key (b_id) references app.b (id);
