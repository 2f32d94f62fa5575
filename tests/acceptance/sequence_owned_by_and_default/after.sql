create schema app;
create sequence app.ticket_number_seq as integer start with 100;
create table app.tickets (id int primary key, number integer not null default nextval('app.ticket_number_seq'::regclass));
alter sequence app.ticket_number_seq owned by app.tickets.number;
