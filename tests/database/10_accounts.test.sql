-- The core's accounts, memberships, roles, permissions, config and invitations, per caller.
begin;
select no_plan();

-- accounts: a user sees their personal account and the teams they belong to
select tests.authenticate_as('member');
select is((select array_agg(name::text order by name) from public.accounts where not is_personal_account), array['Support'], 'member: sees their team, not Other Co');
select is((select count(*)::int from public.accounts where is_personal_account and primary_owner_user_id = tests.get_supabase_uid('member')), 1, 'member: sees their own personal account');
select is((select count(*)::int from public.accounts where is_personal_account and primary_owner_user_id = tests.get_supabase_uid('owner')), 1, 'member: sees a team mate''s personal account (is_account_team_member)');
select is((select count(*)::int from public.accounts where is_personal_account and primary_owner_user_id = tests.get_supabase_uid('other')), 0, 'member: does not see a stranger''s personal account');
select results_eq($$with u as (update public.accounts set name = 'Renamed' where id = 'aaaaaaaa-0000-4000-8000-000000000001' returning 1) select count(*)::int from u$$,
  array[0], 'member: cannot rename the team (accounts_self_update: primary owner only)');
select lives_ok($$insert into public.accounts (name) values ('Member Team')$$, 'member: creates a team account (create_org_account)');
select throws_ok($$insert into public.accounts (name, is_personal_account) values ('Fake personal', true)$$, '42501', null,
  'member: cannot create a personal account');
select results_eq($$with d as (delete from public.accounts where id = 'aaaaaaaa-0000-4000-8000-000000000001' returning 1) select count(*)::int from d$$,
  array[0], 'member: cannot delete the team (no delete policy)');
select tests.clear_authentication();

select tests.authenticate_as('owner');
select results_eq($$with u as (update public.accounts set name = 'Support Desk' where id = 'aaaaaaaa-0000-4000-8000-000000000001' returning 1) select count(*)::int from u$$,
  array[1], 'owner: renames their team');
select results_eq($$with u as (update public.accounts set name = 'Mine now' where id = 'bbbbbbbb-0000-4000-8000-000000000001' returning 1) select count(*)::int from u$$,
  array[0], 'owner: cannot rename another team');
select tests.clear_authentication();

select tests.authenticate_as('other');
select is((select array_agg(name::text order by name) from public.accounts where not is_personal_account), array['Other Co'], 'other team: sees only their own team');
select tests.clear_authentication();

-- memberships
select tests.authenticate_as('member');
select is((select count(*)::int from public.accounts_memberships where account_id = 'aaaaaaaa-0000-4000-8000-000000000001'), 2, 'member: sees both memberships of their team');
select is((select count(*)::int from public.accounts_memberships where account_id = 'bbbbbbbb-0000-4000-8000-000000000001'), 0, 'member: sees no membership of Other Co');
select throws_ok($$delete from public.accounts_memberships where user_id = (select tests.get_supabase_uid('owner'))$$,
  'P0001', 'The primary account owner cannot be actioned', 'member: cannot remove the primary owner');
select tests.clear_authentication();

select tests.authenticate_as('other');
select throws_ok($$delete from public.accounts_memberships where user_id = (select tests.get_supabase_uid('member'))$$,
  'P0001', 'You do not have permission to action a member from this account', 'other team: cannot remove a member of Support');
select tests.clear_authentication();


-- roles, permissions, config: readable by every signed-in user, by nobody signed out
select tests.authenticate_as('other');
select is((select count(*)::int from public.roles), 2, 'authenticated: reads the roles');
select is((select count(*)::int from public.role_permissions), 9, 'authenticated: reads the role permissions');
select is((select count(*)::int from public.config), 1, 'authenticated: reads the config');
select throws_ok($$update public.config set enable_team_accounts = false$$, '42501', null, 'authenticated: cannot change the config');
select tests.clear_authentication();

-- invitations
select tests.authenticate_as('member');
select is((select array_agg(invite_token::text) from public.invitations), array['token-support'], 'member: sees their team''s invitations only');
select lives_ok($$insert into public.invitations (email, account_id, invited_by, role, invite_token)
  values ('friend@test.local', 'aaaaaaaa-0000-4000-8000-000000000001', tests.get_supabase_uid('member'), 'member', 'token-friend')$$,
  'member: invites a member (invites.manage, same role level)');
select throws_ok($$insert into public.invitations (email, account_id, invited_by, role, invite_token)
  values ('boss@test.local', 'aaaaaaaa-0000-4000-8000-000000000001', tests.get_supabase_uid('member'), 'owner', 'token-boss')$$,
  '42501', null, 'member: cannot invite an owner (a more elevated role)');
select throws_ok($$insert into public.invitations (email, account_id, invited_by, role, invite_token)
  values ('x@test.local', 'bbbbbbbb-0000-4000-8000-000000000001', tests.get_supabase_uid('member'), 'member', 'token-x')$$,
  '42501', null, 'member: cannot invite into another team');
select results_eq($$with u as (update public.invitations set role = 'member' where invite_token = 'token-support' returning 1) select count(*)::int from u$$,
  array[0], 'member: cannot change an invitation of their own level (invitations_update needs a more elevated role)');
select tests.clear_authentication();

select tests.authenticate_as('owner');
select results_eq($$with u as (update public.invitations set email = 'new2@test.local' where invite_token = 'token-support' returning 1) select count(*)::int from u$$,
  array[1], 'owner: changes an invitation of their team');
select tests.clear_authentication();

select tests.authenticate_as('other');
select results_eq($$with d as (delete from public.invitations where invite_token = 'token-support' returning 1) select count(*)::int from d$$,
  array[0], 'other team: cannot delete Support''s invitation');
select tests.clear_authentication();

select tests.authenticate_as('member');
select results_eq($$with d as (delete from public.invitations where invite_token = 'token-support' returning 1) select count(*)::int from d$$,
  array[1], 'member: deletes their team''s invitation (invites.manage)');
select tests.clear_authentication();

-- anon and service_role
select tests.authenticate_as_anon();
select throws_ok('select * from public.accounts', '42501', null, 'anon: cannot read accounts');
select throws_ok('select * from public.accounts_memberships', '42501', null, 'anon: cannot read memberships');
select throws_ok('select * from public.invitations', '42501', null, 'anon: cannot read invitations');
select throws_ok('select * from public.roles', '42501', null, 'anon: cannot read roles');
select throws_ok('select * from public.config', '42501', null, 'anon: cannot read the config');
select tests.clear_authentication();

select tests.authenticate_as_service_role();
select is((select count(*)::int from public.accounts where not is_personal_account), 3, 'service_role: sees every team');
select is((select count(*)::int from public.invitations), 2, 'service_role: sees every invitation');
select tests.clear_authentication();

-- last, as it changes who belongs to Support
select tests.authenticate_as('owner');
select results_eq($$with d as (delete from public.accounts_memberships where account_id = 'aaaaaaaa-0000-4000-8000-000000000001' and user_id = (select tests.get_supabase_uid('member')) returning 1) select count(*)::int from d$$,
  array[1], 'owner: removes a member (accounts_memberships_delete: can_action_account_member)');
select tests.clear_authentication();

select * from finish();
rollback;
