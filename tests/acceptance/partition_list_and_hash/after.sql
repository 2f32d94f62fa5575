create schema app;
create table app.orders (id int not null, region text not null) partition by list (region);
create table app.orders_eu partition of app.orders for values in ('de', 'fr') partition by hash (id);
create table app.orders_eu_0 partition of app.orders_eu for values with (modulus 2, remainder 0);
create table app.orders_eu_1 partition of app.orders_eu for values with (modulus 2, remainder 1);
create table app.orders_us partition of app.orders for values in ('us');
