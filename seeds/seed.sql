-- Sample data for local development and the end-to-end tests.
-- Users: each gets a personal account from the on_auth_user_created trigger.
insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                        raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
values
  ('00000000-0000-0000-0000-000000000000', '31a03e74-1639-45b6-bfa7-77447f1a4762', 'authenticated', 'authenticated',
   'test@makerkit.dev', extensions.crypt('testingpassword', extensions.gen_salt('bf')), now(),
   '{"provider": "email", "providers": ["email"]}', '{"name": "Test Owner"}', now(), now()),
  ('00000000-0000-0000-0000-000000000000', '6b83d656-e4ab-48e3-a062-c0c54a427368', 'authenticated', 'authenticated',
   'member@makerkit.dev', extensions.crypt('testingpassword', extensions.gen_salt('bf')), now(),
   '{"provider": "email", "providers": ["email"]}', '{"name": "Team Member"}', now(), now()),
  ('00000000-0000-0000-0000-000000000000', 'b73eb03e-fb7a-424d-84ff-18e2791ce0b4', 'authenticated', 'authenticated',
   'outsider@example.com', extensions.crypt('testingpassword', extensions.gen_salt('bf')), now(),
   '{"provider": "email", "providers": ["email"]}', '{"name": "Other Company"}', now(), now());

-- Team accounts: the course's support team (Makerkit) and another company (Acme).
insert into public.accounts (id, primary_owner_user_id, name, slug, is_personal_account)
values
  ('5deaa894-2094-4da3-b4fd-1fada0809d1c', '31a03e74-1639-45b6-bfa7-77447f1a4762', 'Makerkit', 'makerkit', false),
  ('c5b930c9-0a76-412e-a836-4bc4849a3270', 'b73eb03e-fb7a-424d-84ff-18e2791ce0b4', 'Acme', 'acme', false);

insert into public.accounts_memberships (user_id, account_id, account_role)
values
  ('31a03e74-1639-45b6-bfa7-77447f1a4762', '5deaa894-2094-4da3-b4fd-1fada0809d1c', 'owner'),
  ('6b83d656-e4ab-48e3-a062-c0c54a427368', '5deaa894-2094-4da3-b4fd-1fada0809d1c', 'member'),
  ('b73eb03e-fb7a-424d-84ff-18e2791ce0b4', 'c5b930c9-0a76-412e-a836-4bc4849a3270', 'owner');

insert into public.plans (variant_id, name, max_tickets)
values
  ('starter-monthly', 'Starter', 100),
  ('pro-monthly', 'Pro', -1);

-- The course's sample tickets and messages.
INSERT INTO public.tickets (account_id, status, title, priority, category, resolution, customer_email, updated_at)
VALUES
  ('5deaa894-2094-4da3-b4fd-1fada0809d1c', 'in_progress', 'Cannot access account', 'high', 'Login Issues', NULL, 'john.doe@example.com', NOW() + INTERVAL '1 day'),
  ('5deaa894-2094-4da3-b4fd-1fada0809d1c', 'open', 'Billing discrepancy', 'medium', 'Billing', NULL, 'jane.smith@example.com', NOW() + INTERVAL '2 days'),
  ('5deaa894-2094-4da3-b4fd-1fada0809d1c', 'open', 'Feature request: Dark mode', 'low', 'Feature Request', NULL, 'alex.johnson@example.com', NOW() + INTERVAL '5 days'),
  ('5deaa894-2094-4da3-b4fd-1fada0809d1c', 'resolved', 'App crashes on startup', 'medium', 'Bug', 'Updated app to latest version', 'sarah.lee@example.com', NOW() - INTERVAL '1 hour');

-- A ticket of the other company, which Makerkit's members must never see.
INSERT INTO public.tickets (account_id, status, title, priority, category, customer_email)
VALUES ('c5b930c9-0a76-412e-a836-4bc4849a3270', 'open', 'Acme internal ticket', 'low', 'General', 'ceo@acme.example');

WITH ticket_ids AS (
  SELECT id, title FROM public.tickets WHERE title IN (
    'Cannot access account',
    'Billing discrepancy',
    'Feature request: Dark mode',
    'App crashes on startup'
  )
)
INSERT INTO public.messages (ticket_id, author, content, attachment_url)
SELECT
  t.id,
  m.author,
  m.content,
  m.attachment_url
FROM ticket_ids t
JOIN (
  VALUES
    ('Cannot access account', 'customer'::public.message_author, 'I cannot log into my account. It says my password is incorrect, but I''m sure it''s right.', NULL),
    ('Cannot access account', 'support'::public.message_author, 'I''m sorry to hear that. Let''s try resetting your password. I''ve sent a password reset link to your email.', NULL),
    ('Billing discrepancy', 'customer'::public.message_author, 'My last invoice seems to be higher than usual. Can you please check?', NULL),
    ('Billing discrepancy', 'support'::public.message_author, 'Certainly, I''ve looked into your account and noticed that you upgraded your plan last month. This explains the increase. Please confirm if you remember making this change.', NULL),
    ('Feature request: Dark mode', 'customer'::public.message_author, 'It would be great if you could add a dark mode to the app. It''s hard on the eyes at night.', NULL),
    ('App crashes on startup', 'customer'::public.message_author, 'Every time I try to open the app, it crashes immediately. I''m using an iPhone 12.', 'https://example.com/attachments/crash_log.txt'),
    ('App crashes on startup', 'support'::public.message_author, 'Thank you for reporting this and providing the crash log. We''ve identified the issue and it''s been fixed in our latest update. Please update your app and let us know if the problem persists.', NULL),
    ('App crashes on startup', 'customer'::public.message_author, 'I''ve updated the app and it''s working perfectly now. Thank you!', NULL)
) AS m(title, author, content, attachment_url) ON t.title = m.title;

-- Billing, as the provider's webhooks would write it: Acme on the unlimited Pro plan, with a
-- one-off order; so every table of the core holds at least one row to look at.
select public.upsert_subscription(
  'c5b930c9-0a76-412e-a836-4bc4849a3270', 'cus_acme', 'sub_acme', true, 'active', 'stripe', false, 'usd',
  now() - interval '3 days', now() + interval '27 days',
  '[{"id": "si_acme", "product_id": "prod_pro", "variant_id": "pro-monthly", "type": "flat",
     "price_amount": 49, "quantity": 1, "interval": "month", "interval_count": 1}]');

select public.upsert_order(
  'c5b930c9-0a76-412e-a836-4bc4849a3270', 'cus_acme', 'order_acme_setup', 'succeeded', 'stripe', 99, 'usd',
  '[{"id": "oi_acme_setup", "product_id": "prod_setup", "variant_id": "onboarding", "price_amount": 99, "quantity": 1}]');

-- A pending invitation to the support team, and a notification for it.
insert into public.invitations (email, account_id, invited_by, role, invite_token)
values ('new.agent@example.com', '5deaa894-2094-4da3-b4fd-1fada0809d1c', '31a03e74-1639-45b6-bfa7-77447f1a4762', 'member', 'invite-token-new-agent');

insert into public.notifications (account_id, type, body, link)
values ('5deaa894-2094-4da3-b4fd-1fada0809d1c', 'info', 'A new ticket was assigned to your team.', '/home/makerkit/tickets');
