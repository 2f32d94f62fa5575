-- account-image-policy
-- Written by hand (the diff does not alter policies yet): the account_image policy called
-- auth.uid() once per row scanned; `(select auth.uid())` is evaluated once per query
-- (lint: auth_rls_initplan). Same rows allowed as before.
alter policy account_image on storage.objects
  using (
    bucket_id = 'account_image'
    and (kit.get_storage_filename_as_uuid(name) = (select auth.uid())
         or public.has_role_on_account(kit.get_storage_filename_as_uuid(name)))
  )
  with check (
    bucket_id = 'account_image'
    and (kit.get_storage_filename_as_uuid(name) = (select auth.uid())
         or public.has_permission((select auth.uid()), kit.get_storage_filename_as_uuid(name), 'settings.manage'))
  );
