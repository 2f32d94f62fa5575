-- Storage: message attachments (read by whoever may read the message) and account images.
begin;
select no_plan();

select tests.authenticate_as('member');
select is((select array_agg(name) from storage.objects where bucket_id = 'attachments'), array['aaaaaaaa-0000-4000-8000-0000000000a2.png'],
  'member: sees the attachments of their team''s messages only');
select tests.clear_authentication();

select tests.authenticate_as('other');
select is((select array_agg(name) from storage.objects where bucket_id = 'attachments'), array['bbbbbbbb-0000-4000-8000-0000000000b2.png'],
  'other team: sees their own attachments only');
select tests.clear_authentication();

select tests.authenticate_as_anon();
select throws_ok('select count(*) from storage.objects', '42501', null,
  'anon: cannot list stored files (the account_image policy''s helper is executable by authenticated only)');
select throws_ok($$insert into storage.objects (bucket_id, name) values ('account_image', 'aaaaaaaa-0000-4000-8000-000000000001.png')$$,
  '42501', null, 'anon: cannot upload an account image');
select tests.clear_authentication();

-- account images: named after the account; the user's own, or a team's with settings.manage
select tests.authenticate_as('owner');
select lives_ok(format($$insert into storage.objects (bucket_id, name) values ('account_image', '%s.png')$$, tests.get_supabase_uid('owner')),
  'owner: uploads their own avatar');
select throws_ok(format($$insert into storage.objects (bucket_id, name) values ('account_image', '%s.png')$$, tests.get_supabase_uid('member')),
  '42501', null, 'owner: cannot upload someone else''s avatar');
select tests.clear_authentication();

select tests.authenticate_as('member');
select lives_ok($$insert into storage.objects (bucket_id, name) values ('account_image', 'aaaaaaaa-0000-4000-8000-000000000001.png')$$,
  'member: uploads their team''s picture (settings.manage)');
select is((select count(*)::int from storage.objects where bucket_id = 'account_image'), 1, 'member: sees their team''s picture, not the owner''s avatar');
select tests.clear_authentication();

select tests.authenticate_as('other');
select throws_ok($$insert into storage.objects (bucket_id, name) values ('account_image', 'aaaaaaaa-0000-4000-8000-000000000001.jpg')$$,
  '42501', null, 'other team: cannot upload Support''s picture');
select is((select count(*)::int from storage.objects where bucket_id = 'account_image'), 0, 'other team: sees no image of Support');
select tests.clear_authentication();

select tests.authenticate_as_service_role();
select is((select count(*)::int from storage.objects), 4, 'service_role: sees every stored file');
select tests.clear_authentication();

select * from finish();
rollback;
