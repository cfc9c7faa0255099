-- Row-level security, the second wall behind the `WHERE org_id = $1` every query carries.
-- `withTenant` sets app.org_id for one transaction and switches to backplane_app; these
-- policies then show that org's rows only. FORCE applies them to the tables' owner too.
--
-- The pattern every org-owned table copies (docs/platform.md, Tenancy):
--   org_id = nullif(current_setting('app.org_id', true), '')
-- A missing setting is NULL (never set on this connection) or '' (set by an earlier
-- transaction, then reverted); both become NULL, and `org_id = NULL` is never true: no rows.
-- Policies name no role, so every role without BYPASSRLS gets them, including the read-only
-- login role of DATABASE_URL_READONLY.

ALTER TABLE backplane.orgs ENABLE ROW LEVEL SECURITY;
ALTER TABLE backplane.orgs FORCE ROW LEVEL SECURITY;
-- An org is its own tenant: its row is visible in its own context.
CREATE POLICY orgs_select ON backplane.orgs FOR SELECT
  USING (id = nullif(current_setting('app.org_id', true), ''));
CREATE POLICY orgs_insert ON backplane.orgs FOR INSERT
  WITH CHECK (id = nullif(current_setting('app.org_id', true), ''));
CREATE POLICY orgs_update ON backplane.orgs FOR UPDATE
  USING (id = nullif(current_setting('app.org_id', true), ''))
  WITH CHECK (id = nullif(current_setting('app.org_id', true), ''));
CREATE POLICY orgs_delete ON backplane.orgs FOR DELETE
  USING (id = nullif(current_setting('app.org_id', true), ''));

ALTER TABLE backplane.api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE backplane.api_keys FORCE ROW LEVEL SECURITY;
-- Platform-wide keys (org_id NULL) match no org: only the service context sees them.
CREATE POLICY api_keys_select ON backplane.api_keys FOR SELECT
  USING (org_id = nullif(current_setting('app.org_id', true), ''));
CREATE POLICY api_keys_insert ON backplane.api_keys FOR INSERT
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), ''));
CREATE POLICY api_keys_update ON backplane.api_keys FOR UPDATE
  USING (org_id = nullif(current_setting('app.org_id', true), ''))
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), ''));
CREATE POLICY api_keys_delete ON backplane.api_keys FOR DELETE
  USING (org_id = nullif(current_setting('app.org_id', true), ''));
