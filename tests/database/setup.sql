-- Run before every test file (tickets-db test): the people and data the files act on.
--   owner  — owns the team "Support" (role owner: tickets.update, tickets.delete…)
--   member — a member of "Support" (role member)
--   other  — owns another team, "Other Co"
-- plus anon (signed out) and service_role, which the helpers act as without a user.
select tests.create_supabase_user('owner', 'owner@test.local');
select tests.create_supabase_user('member', 'member@test.local');
select tests.create_supabase_user('other', 'other@test.local');

insert into public.accounts (id, primary_owner_user_id, name, slug, is_personal_account) values
  ('aaaaaaaa-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'Support', 'support', false),
  ('bbbbbbbb-0000-4000-8000-000000000001', tests.get_supabase_uid('other'), 'Other Co', 'other-co', false);

insert into public.accounts_memberships (user_id, account_id, account_role) values
  (tests.get_supabase_uid('owner'), 'aaaaaaaa-0000-4000-8000-000000000001', 'owner'),
  (tests.get_supabase_uid('member'), 'aaaaaaaa-0000-4000-8000-000000000001', 'member'),
  (tests.get_supabase_uid('other'), 'bbbbbbbb-0000-4000-8000-000000000001', 'owner');

insert into public.plans (variant_id, name, max_tickets) values ('starter', 'Starter', 3), ('unlimited', 'Unlimited', -1);

insert into public.tickets (id, account_id, title, category, customer_email) values
  ('aaaaaaaa-0000-4000-8000-0000000000a1', 'aaaaaaaa-0000-4000-8000-000000000001', 'Support ticket', 'Billing', 'jane@example.com'),
  ('bbbbbbbb-0000-4000-8000-0000000000b1', 'bbbbbbbb-0000-4000-8000-000000000001', 'Other ticket', 'Bug', 'joe@example.com');

insert into public.messages (id, ticket_id, author, content) values
  ('aaaaaaaa-0000-4000-8000-0000000000a2', 'aaaaaaaa-0000-4000-8000-0000000000a1', 'customer', 'Please help'),
  ('bbbbbbbb-0000-4000-8000-0000000000b2', 'bbbbbbbb-0000-4000-8000-0000000000b1', 'customer', 'It crashes');

insert into public.notifications (account_id, body) values
  ('aaaaaaaa-0000-4000-8000-000000000001', 'For Support'),
  ('bbbbbbbb-0000-4000-8000-000000000001', 'For Other Co');

-- Other Co pays (subscription + item, an order + item); Support is on the free limit.
select public.upsert_subscription('bbbbbbbb-0000-4000-8000-000000000001', 'cus_other', 'sub_other', true, 'active', 'stripe', false, 'usd',
  now() - interval '1 day', now() + interval '29 days',
  '[{"id": "si_other", "product_id": "prod", "variant_id": "unlimited", "type": "flat", "price_amount": 10, "quantity": 1, "interval": "month", "interval_count": 1}]');
select public.upsert_order('bbbbbbbb-0000-4000-8000-000000000001', 'cus_other', 'order_other', 'succeeded', 'stripe', 10, 'usd',
  '[{"id": "oi_other", "product_id": "prod", "variant_id": "setup", "price_amount": 10, "quantity": 1}]');

insert into public.invitations (email, account_id, invited_by, role, invite_token) values
  ('new@test.local', 'aaaaaaaa-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'member', 'token-support'),
  ('new@test.local', 'bbbbbbbb-0000-4000-8000-000000000001', tests.get_supabase_uid('other'), 'member', 'token-other');

insert into storage.objects (bucket_id, name) values
  ('attachments', 'aaaaaaaa-0000-4000-8000-0000000000a2.png'),
  ('attachments', 'bbbbbbbb-0000-4000-8000-0000000000b2.png');
