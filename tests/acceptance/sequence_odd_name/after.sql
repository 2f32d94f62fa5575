create schema app;
create sequence app."Ticket ""Numbers"";";
create table app.t (id bigint primary key default nextval('app."Ticket ""Numbers"";"'::regclass));
