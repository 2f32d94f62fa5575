-- Billing (customers, subscriptions, orders and their items) and notifications, per caller.
-- Other Co has a subscription and an order; Support has none.
begin;
select no_plan();

select tests.authenticate_as('other');
select is((select count(*)::int from public.billing_customers), 1, 'other team: sees their billing customer');
select is((select count(*)::int from public.subscriptions), 1, 'other team: sees their subscription');
select is((select count(*)::int from public.subscription_items), 1, 'other team: sees their subscription items');
select is((select count(*)::int from public.orders), 1, 'other team: sees their order');
select is((select count(*)::int from public.order_items), 1, 'other team: sees their order items');
select throws_ok($$update public.subscriptions set active = false$$, '42501', null, 'other team: cannot change their subscription (webhooks do)');
select throws_ok($$insert into public.orders (id, account_id, billing_customer_id, status, billing_provider, total_amount, currency)
  values ('fake', 'bbbbbbbb-0000-4000-8000-000000000001', 1, 'succeeded', 'stripe', 0, 'usd')$$, '42501', null, 'other team: cannot forge an order');
select tests.clear_authentication();

select tests.authenticate_as('member');
select is((select count(*)::int from public.billing_customers), 0, 'member: sees no other team''s billing customer');
select is((select count(*)::int from public.subscriptions), 0, 'member: sees no other team''s subscription');
select is((select count(*)::int from public.subscription_items), 0, 'member: sees no other team''s subscription items');
select is((select count(*)::int from public.orders), 0, 'member: sees no other team''s order');
select is((select count(*)::int from public.order_items), 0, 'member: sees no other team''s order items');
select tests.clear_authentication();

-- notifications: read and dismissed by the team they are for
select tests.authenticate_as('member');
select is((select array_agg(body::text) from public.notifications), array['For Support'], 'member: sees their team''s notifications only');
select results_eq($$with u as (update public.notifications set dismissed = true where body = 'For Support' returning 1) select count(*)::int from u$$,
  array[1], 'member: dismisses their team''s notification');
select results_eq($$with u as (update public.notifications set dismissed = true where body = 'For Other Co' returning 1) select count(*)::int from u$$,
  array[0], 'member: cannot dismiss another team''s notification');
select throws_ok($$update public.notifications set body = 'changed' where body = 'For Support'$$, null, null,
  'member: cannot change anything but dismissed');
select tests.clear_authentication();

select tests.authenticate_as('owner');
select is((select array_agg(body::text) from public.notifications), array['For Support'], 'owner: sees their team''s notifications only');
select tests.clear_authentication();

select tests.authenticate_as_anon();
select throws_ok('select * from public.billing_customers', '42501', null, 'anon: cannot read billing customers');
select throws_ok('select * from public.subscriptions', '42501', null, 'anon: cannot read subscriptions');
select throws_ok('select * from public.subscription_items', '42501', null, 'anon: cannot read subscription items');
select throws_ok('select * from public.orders', '42501', null, 'anon: cannot read orders');
select throws_ok('select * from public.order_items', '42501', null, 'anon: cannot read order items');
select throws_ok('select * from public.notifications', '42501', null, 'anon: cannot read notifications');
select tests.clear_authentication();

select tests.authenticate_as_service_role();
select is((select count(*)::int from public.subscriptions), 1, 'service_role: sees every subscription');
select is((select count(*)::int from public.notifications), 2, 'service_role: sees every notification');
select lives_ok($$insert into public.notifications (account_id, body) values ('aaaaaaaa-0000-4000-8000-000000000001', 'From the backend')$$,
  'service_role: sends a notification');
select tests.clear_authentication();

select * from finish();
rollback;
