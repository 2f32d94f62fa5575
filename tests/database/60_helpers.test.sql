-- The test helpers as Supabase projects use them (basejump-supabase_test_helpers' API).
begin;
select plan(4);
select tests.authenticate_as('member');
select tests.authenticate_as('owner');
select is(auth.uid(), tests.get_supabase_uid('owner'), 'authenticate_as switches from one user to another');
select is(current_user::text, 'authenticated', 'and acts as authenticated');
select tests.clear_authentication();
select tests.rls_enabled('public', 'tickets');
select tests.rls_enabled('public');
select * from finish();
rollback;
