-- Every table has RLS, and each carries exactly the policies the other files exercise.
begin;
select no_plan();

select tests.rls_enabled('public');
select policies_are('public', 'accounts', array['accounts_read', 'accounts_self_update', 'create_org_account']);
select policies_are('public', 'accounts_memberships', array['accounts_memberships_read', 'accounts_memberships_delete']);
select policies_are('public', 'roles', array['roles_read']);
select policies_are('public', 'role_permissions', array['role_permissions_read']);
select policies_are('public', 'config', array['public config can be read by authenticated users']);
select policies_are('public', 'invitations', array['invitations_read_self', 'invitations_create_self', 'invitations_update', 'invitations_delete']);
select policies_are('public', 'billing_customers', array['billing_customers_read_self']);
select policies_are('public', 'subscriptions', array['subscriptions_read_self']);
select policies_are('public', 'subscription_items', array['subscription_items_read_self']);
select policies_are('public', 'orders', array['orders_read_self']);
select policies_are('public', 'order_items', array['order_items_read_self']);
select policies_are('public', 'notifications', array['notifications_read_self', 'notifications_update_self']);
select policies_are('public', 'tickets', array['select_tickets', 'update_tickets', 'delete_tickets']);
select policies_are('public', 'messages', array['select_messages', 'insert_messages', 'update_messages', 'delete_messages']);
select policies_are('public', 'plans', array['select_plans']);
select policies_are('storage', 'objects', array['account_image', 'message_attachments']);

-- anon holds no privilege on any table of public: every read is refused before RLS.
select is(
  (select array_agg(c.relname::text order by c.relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where n.nspname = 'public' and c.relkind in ('r', 'v', 'p') and has_table_privilege('anon', c.oid, 'select, insert, update, delete, truncate, references, trigger')),
  null, 'anon has no privilege on any table in public');

select * from finish();
rollback;
