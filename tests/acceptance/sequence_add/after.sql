create schema app;
create sequence app.ticket_numbers as integer start with 1000 increment by 5 cache 10 cycle;
create sequence app.plain;
create sequence app.down increment by -1;
grant usage, select on sequence app.ticket_numbers to authenticated;
comment on sequence app.plain is 'nothing special';
