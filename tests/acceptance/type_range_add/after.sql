create schema app;
create type app.floatrange as range (subtype = float8, subtype_diff = float8mi);
create type app.span as range (subtype = timestamptz, multirange_type_name = app.spans);
create table app.booking (id int primary key, during app.floatrange, many app.floatmultirange, spans app.spans);
comment on type app.span is 'a time span';
