-- The course's support schema: tickets, messages, plans, as each kind of caller.
begin;
select no_plan();

-- member of Support: reads its team's tickets and messages only, writes messages, no ticket changes
select tests.authenticate_as('member');
select is((select array_agg(title::text) from public.tickets), array['Support ticket'], 'member: sees only their team''s tickets');
select is((select array_agg(content::text) from public.messages), array['Please help'], 'member: sees only their team''s messages');
select results_eq($$with u as (update public.tickets set priority = 'high' where id = 'aaaaaaaa-0000-4000-8000-0000000000a1' returning 1) select count(*)::int from u$$,
  array[0], 'member: cannot update a ticket (no tickets.update)');
select results_eq($$with d as (delete from public.tickets where id = 'aaaaaaaa-0000-4000-8000-0000000000a1' returning 1) select count(*)::int from d$$,
  array[0], 'member: cannot delete a ticket (no tickets.delete)');
select throws_ok($$insert into public.tickets (account_id, title) values ('aaaaaaaa-0000-4000-8000-000000000001', 'x')$$,
  '42501', null, 'member: cannot create tickets (no insert policy: tickets come in through the service role)');
select lives_ok($$insert into public.messages (ticket_id, author, content) values ('aaaaaaaa-0000-4000-8000-0000000000a1', 'support', 'On it')$$,
  'member: replies on their team''s ticket');
select throws_ok($$insert into public.messages (ticket_id, author, content) values ('bbbbbbbb-0000-4000-8000-0000000000b1', 'support', 'Hi')$$,
  '42501', null, 'member: cannot post on another team''s ticket');
select results_eq($$with u as (update public.messages set content = 'edited' where id = 'aaaaaaaa-0000-4000-8000-0000000000a2' returning 1) select count(*)::int from u$$,
  array[1], 'member: edits a message of their team');
select results_eq($$with u as (update public.messages set content = 'edited' where id = 'bbbbbbbb-0000-4000-8000-0000000000b2' returning 1) select count(*)::int from u$$,
  array[0], 'member: cannot edit another team''s message');
select results_eq($$with d as (delete from public.messages where id = 'bbbbbbbb-0000-4000-8000-0000000000b2' returning 1) select count(*)::int from d$$,
  array[0], 'member: cannot delete another team''s message');
select is((select count(*)::int from public.plans), 2, 'member: reads every plan');
select tests.clear_authentication();

-- owner of Support: updates and deletes its tickets, nobody else's
select tests.authenticate_as('owner');
select results_eq($$with u as (update public.tickets set priority = 'high' where id = 'aaaaaaaa-0000-4000-8000-0000000000a1' returning 1) select count(*)::int from u$$,
  array[1], 'owner: updates their team''s ticket');
select results_eq($$with u as (update public.tickets set priority = 'high' where id = 'bbbbbbbb-0000-4000-8000-0000000000b1' returning 1) select count(*)::int from u$$,
  array[0], 'owner: cannot update another team''s ticket');
select results_eq($$with d as (delete from public.messages where id = 'aaaaaaaa-0000-4000-8000-0000000000a2' returning 1) select count(*)::int from d$$,
  array[1], 'owner: deletes a message of their team');
select results_eq($$with d as (delete from public.tickets where id = 'bbbbbbbb-0000-4000-8000-0000000000b1' returning 1) select count(*)::int from d$$,
  array[0], 'owner: cannot delete another team''s ticket');
select tests.clear_authentication();

-- the other team's owner: the mirror image
select tests.authenticate_as('other');
select is((select array_agg(title::text) from public.tickets), array['Other ticket'], 'other team: sees only their own tickets');
select is((select array_agg(content::text) from public.messages), array['It crashes'], 'other team: sees only their own messages');
select tests.clear_authentication();

-- anon: no privilege at all
select tests.authenticate_as_anon();
select throws_ok('select * from public.tickets', '42501', null, 'anon: cannot read tickets');
select throws_ok('select * from public.messages', '42501', null, 'anon: cannot read messages');
select throws_ok('select * from public.plans', '42501', null, 'anon: cannot read plans');
select tests.clear_authentication();

-- service_role: reads and creates tickets past RLS, but holds no update/delete grant
select tests.authenticate_as_service_role();
select is((select count(*)::int from public.tickets), 2, 'service_role: sees every ticket');
select lives_ok($$insert into public.tickets (account_id, title) values ('bbbbbbbb-0000-4000-8000-000000000001', 'From email')$$,
  'service_role: creates a ticket (from the support inbox)');
select throws_ok($$update public.tickets set priority = 'low'$$, '42501', null, 'service_role: has no update grant on tickets');
select throws_ok($$truncate public.tickets$$, '42501', null, 'service_role: cannot truncate tickets');
select tests.clear_authentication();

-- authenticated can never truncate (RLS does not filter TRUNCATE: the course's grants allowed it);
-- deleting a ticket is the owner's right
select tests.authenticate_as('owner');
select throws_ok($$truncate public.tickets$$, '42501', null, 'owner: cannot truncate tickets');
select results_eq($$with d as (delete from public.tickets where id = 'aaaaaaaa-0000-4000-8000-0000000000a1' returning 1) select count(*)::int from d$$,
  array[1], 'owner: deletes their team''s ticket');
select tests.clear_authentication();

select * from finish();
rollback;
