-- A signed-in user's own changes (privacy settings, integrations) are audited in the same
-- transaction as the change, which runs in the user's tenant context (app.user_id set, no org).
-- The org policy cannot match a row with no org, so this second INSERT policy (permissive
-- policies are OR'd) admits exactly one kind of row: no org, written with no org context set,
-- by the user the transaction acts for. Such rows stay invisible to every tenant (the SELECT
-- policy needs an org); the platform's audit readers see them in a service context.
CREATE POLICY audit_events_insert_own_user ON backplane.audit_events FOR INSERT
  WITH CHECK (
    org_id IS NULL
    AND nullif(current_setting('app.org_id', true), '') IS NULL
    AND actor_type = 'user'
    AND actor_id = nullif(current_setting('app.user_id', true), '')
  );
