-- Makerkit's: nobody but the signed-in and the service may use public; anon may not use storage
create table public.notes (id integer primary key, body text);
revoke all on schema public from public;
revoke all on schema public from anon;
revoke all on schema storage from anon;
grant create on schema public to authenticated;
