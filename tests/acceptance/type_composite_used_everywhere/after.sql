create schema app;
create type app.invitation as (email text, role varchar(50));
create table app.outbox (id int primary key, sent app.invitation, batch app.invitation[]);
create function app.add_invitations(account_slug text, invitations app.invitation[]) returns setof app.invitation language sql as $$ select * from unnest(invitations) $$;
create type app.wrapper as (inner_value app.invitation, n int);
