-- Triggers and limits: status bookkeeping, and the ticket limit per plan.
begin;
select no_plan();

-- status changes set and clear the closed/resolved columns, as the owner does them
select tests.authenticate_as('owner');
update public.tickets set status = 'closed' where id = 'aaaaaaaa-0000-4000-8000-0000000000a1';
select tests.clear_authentication();
select isnt((select closed_at from public.tickets where id = 'aaaaaaaa-0000-4000-8000-0000000000a1'), null, 'closing a ticket sets closed_at');
select is((select closed_by from public.tickets where id = 'aaaaaaaa-0000-4000-8000-0000000000a1'), tests.get_supabase_uid('owner'), 'closing a ticket records who closed it');

select tests.authenticate_as('owner');
update public.tickets set status = 'resolved' where id = 'aaaaaaaa-0000-4000-8000-0000000000a1';
select tests.clear_authentication();
select is((select closed_at from public.tickets where id = 'aaaaaaaa-0000-4000-8000-0000000000a1'), null, 'resolving clears closed_at');
select isnt((select resolved_at from public.tickets where id = 'aaaaaaaa-0000-4000-8000-0000000000a1'), null, 'resolving sets resolved_at');

select tests.authenticate_as('owner');
update public.tickets set status = 'open' where id = 'aaaaaaaa-0000-4000-8000-0000000000a1';
select tests.clear_authentication();
select is((select resolved_at from public.tickets where id = 'aaaaaaaa-0000-4000-8000-0000000000a1'), null, 'reopening clears resolved_at');

-- limits: Support has no subscription → the free limit (50 per 30 days)
select is(public.get_remaining_tickets('aaaaaaaa-0000-4000-8000-000000000001'), 49, 'free plan: 50 tickets, one used');
insert into public.tickets (account_id, title) select 'aaaaaaaa-0000-4000-8000-000000000001', 'bulk ' || g from generate_series(1, 49) g;
select throws_ok($$insert into public.tickets (account_id, title) values ('aaaaaaaa-0000-4000-8000-000000000001', 'one too many')$$,
  null, null, 'free plan: the 51st ticket in 30 days is refused');

-- Other Co pays for the unlimited plan (max_tickets -1)
select is(public.get_remaining_tickets('bbbbbbbb-0000-4000-8000-000000000001'), -1, 'unlimited plan: no limit reported');
select lives_ok($$insert into public.tickets (account_id, title) select 'bbbbbbbb-0000-4000-8000-000000000001', 'many ' || g from generate_series(1, 60) g$$,
  'unlimited plan: 60 more tickets are fine');

-- a paid plan with a limit (the course's version failed here: ambiguous max_tickets)
update public.subscription_items set variant_id = 'starter' where id = 'si_other';
delete from public.tickets where account_id = 'bbbbbbbb-0000-4000-8000-000000000001';
insert into public.tickets (account_id, title) select 'bbbbbbbb-0000-4000-8000-000000000001', 'paid ' || g from generate_series(1, 3) g;
select is(public.get_remaining_tickets('bbbbbbbb-0000-4000-8000-000000000001'), 0, 'starter plan: 3 tickets, all used');
select throws_ok($$insert into public.tickets (account_id, title) values ('bbbbbbbb-0000-4000-8000-000000000001', 'fourth')$$,
  null, null, 'starter plan: the 4th ticket is refused');

select * from finish();
rollback;
