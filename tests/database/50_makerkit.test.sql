-- Makerkit's behaviour where the first version differed: billing upserts that leave exactly the
-- payload, several invitations at once, Makerkit's grants (schema public, sequences), the ticket
-- limit and messages that cannot be forged.
begin;
select no_plan();

-- Billing: a subscription upsert that drops an item and changes a variant leaves the payload's rows
select tests.authenticate_as_service_role();
select public.upsert_subscription('bbbbbbbb-0000-4000-8000-000000000001', 'cus_other', 'sub_other', true, 'active', 'stripe', false, 'usd',
  now() - interval '1 day', now() + interval '29 days',
  '[{"id": "si_other", "product_id": "prod", "variant_id": "unlimited", "type": "flat", "price_amount": 10, "quantity": 1, "interval": "month", "interval_count": 1},
    {"id": "si_seats", "product_id": "seats", "variant_id": "seat", "type": "per_seat", "price_amount": 5, "quantity": 3, "interval": "month", "interval_count": 1}]');
select public.upsert_subscription('bbbbbbbb-0000-4000-8000-000000000001', 'cus_other', 'sub_other', true, 'past_due', 'stripe', true, 'eur',
  now() - interval '1 day', now() + interval '59 days',
  '[{"id": "si_other", "product_id": "prod-2", "variant_id": "starter", "type": "flat", "price_amount": 20, "quantity": 2, "interval": "year", "interval_count": 1}]');
select results_eq(
  $$select id::text, product_id::text, variant_id::text, type::text, price_amount, quantity, interval::text, interval_count
    from public.subscription_items where subscription_id = 'sub_other' order by id$$,
  $$values ('si_other', 'prod-2', 'starter', 'flat', 20::numeric, 2, 'year', 1)$$,
  'subscription upsert: items are exactly the payload (the seat item gone, the variant changed)');
select results_eq(
  $$select status::text, cancel_at_period_end, currency::text from public.subscriptions where id = 'sub_other'$$,
  $$values ('past_due', true, 'eur')$$,
  'subscription upsert: every field of the payload updated');

-- the same for orders
select public.upsert_order('bbbbbbbb-0000-4000-8000-000000000001', 'cus_other', 'order_other', 'succeeded', 'stripe', 30, 'usd',
  '[{"id": "oi_other", "product_id": "prod", "variant_id": "setup", "price_amount": 10, "quantity": 1},
    {"id": "oi_extra", "product_id": "extra", "variant_id": "one", "price_amount": 20, "quantity": 1}]');
select public.upsert_order('bbbbbbbb-0000-4000-8000-000000000001', 'cus_other', 'order_other', 'failed', 'stripe', 15, 'eur',
  '[{"id": "oi_other", "product_id": "prod-b", "variant_id": "setup-b", "price_amount": 15, "quantity": 3}]');
select results_eq(
  $$select id, product_id, variant_id, price_amount, quantity from public.order_items where order_id = 'order_other' order by id$$,
  $$values ('oi_other', 'prod-b', 'setup-b', 15::numeric, 3)$$,
  'order upsert: items are exactly the payload (the extra gone, product and variant changed)');
select results_eq(
  $$select status::text, total_amount, currency::text from public.orders where id = 'order_other'$$,
  $$values ('failed', 15::numeric, 'eur')$$,
  'order upsert: every field of the payload updated');
select tests.clear_authentication();

-- Invitations, several at once: as the owner (invites.manage), as a member without it, for a personal account
select tests.authenticate_as('owner');
select is(
  (select array_agg(i.email::text order by i.email) from unnest(public.add_invitations_to_account('support',
     array[row('a@test.local', 'member')::public.invitation, row('b@test.local', 'member')::public.invitation])) i),
  array['a@test.local', 'b@test.local'], 'owner: add_invitations_to_account creates the invitations and returns them');
select is((select count(*)::int from public.invitations where email in ('a@test.local', 'b@test.local')), 2, 'owner: the invitations are stored');
select tests.clear_authentication();

delete from public.role_permissions where role = 'member' and permission = 'invites.manage';
select tests.authenticate_as('member');
select throws_ok($$select public.add_invitations_to_account('support', array[row('c@test.local', 'member')::public.invitation])$$,
  '42501', null, 'member without invites.manage: refused');
select tests.clear_authentication();

select tests.authenticate_as('owner');
select throws_ok($$select public.add_invitations_to_account(null, array[row('d@test.local', 'member')::public.invitation])$$,
  'P0001', null, 'a personal account (it has no slug): refused');
select tests.clear_authentication();
select throws_ok($$insert into public.invitations (email, account_id, invited_by, role, invite_token)
  select 'e@test.local', id, id, 'member', 'token-personal' from public.accounts where is_personal_account limit 1$$,
  'P0001', 'Account must be a team account', 'an invitation to a personal account: refused by the trigger');

-- Makerkit's grants: anon may not use schema public; no API role draws from or setvals a sequence it does not need
select tests.authenticate_as_anon();
select throws_ok('select * from public.accounts', '42501', 'permission denied for schema public', 'anon: permission denied for schema public');
select throws_ok('select * from public.tickets', '42501', 'permission denied for schema public', 'anon: not an empty result, a refusal');
select tests.clear_authentication();
select is(has_schema_privilege('public', 'public', 'usage'), false, 'PUBLIC has no usage on schema public');
select is(
  (select array_agg(format('%s %s %s', r.rolname, s.relname, p) order by r.rolname, s.relname, q.p)
   from pg_class s join pg_namespace n on n.oid = s.relnamespace
   cross join (values ('anon'), ('authenticated'), ('service_role')) r(rolname)
   cross join (values ('usage'), ('update'), ('select')) q(p)
   where n.nspname = 'public' and s.relkind = 'S' and has_sequence_privilege(r.rolname, s.oid, q.p)),
  array['authenticated invitations_id_seq usage', 'service_role billing_customers_id_seq usage', 'service_role invitations_id_seq usage'],
  'sequences: usage only where an API role inserts through a serial, setval for nobody');
select tests.authenticate_as('owner');
select throws_ok($$select setval('public.invitations_id_seq', 2147483647)$$, '42501', null, 'authenticated: cannot setval the invitations sequence');
select tests.clear_authentication();
select tests.authenticate_as_service_role();
select lives_ok($$insert into public.notifications (account_id, body) values ('aaaaaaaa-0000-4000-8000-000000000001', 'no sequence privilege needed')$$,
  'service_role: inserts through an identity column without privileges on its sequence');
select tests.clear_authentication();
select is((select count(*)::int from public.role_permissions where id < 0), 2, 'the support schema''s permissions keep ids out of the core sequence''s way');
-- a database seeded the Makerkit way: its seven rows by id, the sequence set back to them, then a new row
insert into public.role_permissions (id, role, permission) values
  (1, 'owner', 'roles.manage'), (2, 'owner', 'billing.manage'), (3, 'owner', 'settings.manage'), (4, 'owner', 'members.manage'),
  (5, 'owner', 'invites.manage'), (6, 'member', 'settings.manage'), (7, 'member', 'invites.manage')
  on conflict do nothing;
select setval('public.role_permissions_id_seq', 7);
select lives_ok($$insert into public.role_permissions (role, permission) values ('member', 'billing.manage')$$,
  'after a Makerkit seed sets the sequence back, the next permission does not collide');

-- The ticket limit cannot be bypassed by moving tickets back in time or to another team
select tests.authenticate_as('owner');
select throws_ok($$update public.tickets set created_at = now() - interval '60 days' where id = 'aaaaaaaa-0000-4000-8000-0000000000a1'$$,
  '42501', null, 'owner: cannot move a ticket back in time');
select throws_ok($$update public.tickets set account_id = 'bbbbbbbb-0000-4000-8000-000000000001' where id = 'aaaaaaaa-0000-4000-8000-0000000000a1'$$,
  '42501', null, 'owner: cannot move a ticket to another account');
select lives_ok($$update public.tickets set status = 'closed', priority = 'low', resolution = 'done', updated_at = now() where id = 'aaaaaaaa-0000-4000-8000-0000000000a1'$$,
  'owner: still updates what the course''s screens write');
select is((select closed_by from public.tickets where id = 'aaaaaaaa-0000-4000-8000-0000000000a1'), tests.get_supabase_uid('owner'),
  'owner: the trigger still sets closed_by');
select tests.clear_authentication();

select tests.authenticate_as_service_role();
insert into public.tickets (account_id, title) select 'aaaaaaaa-0000-4000-8000-000000000001', 'filler ' || n from generate_series(1, 48) n;
select lives_ok($$insert into public.tickets (account_id, title) values ('aaaaaaaa-0000-4000-8000-000000000001', 'the 50th')$$, 'free plan: the 50th ticket');
select throws_ok($$insert into public.tickets (account_id, title) values ('aaaaaaaa-0000-4000-8000-000000000001', 'the 51st')$$,
  'P0001', 'You have reached the maximum number of tickets allowed for your plan', 'free plan: not a 51st');
select tests.clear_authentication();

-- Messages: nobody posts as someone else
select tests.authenticate_as('member');
select throws_ok($$insert into public.messages (ticket_id, author, author_account_id, content)
  values ('aaaaaaaa-0000-4000-8000-0000000000a1', 'support', tests.get_supabase_uid('owner'), 'forged')$$,
  '42501', null, 'member: cannot post as another user''s account');
select lives_ok($$insert into public.messages (ticket_id, author, author_account_id, content)
  values ('aaaaaaaa-0000-4000-8000-0000000000a1', 'support', tests.get_supabase_uid('member'), 'mine')$$,
  'member: posts as themselves');
select throws_ok($$update public.messages set author_account_id = tests.get_supabase_uid('owner') where content = 'mine'$$,
  '42501', null, 'member: cannot rewrite who wrote a message');
select throws_ok($$update public.messages set author = 'customer' where content = 'mine'$$,
  '42501', null, 'member: cannot turn a reply into the customer''s words');
select results_eq($$with u as (update public.messages set content = 'mine, edited' where content = 'mine' returning 1) select count(*)::int from u$$,
  array[1], 'member: still edits a message''s content');
select tests.clear_authentication();
select tests.authenticate_as('other');
select throws_ok($$insert into public.messages (ticket_id, author, content) values ('aaaaaaaa-0000-4000-8000-0000000000a1', 'support', 'not my team')$$,
  '42501', null, 'another team''s owner: cannot post support replies on this ticket');
select tests.clear_authentication();

select * from finish();
rollback;
