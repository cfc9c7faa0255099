-- Row-level security on the biomech tables: the platform's pattern (docs/platform.md, Tenancy;
-- migrations/platform/0005_row_level_security.sql). Reads run in `withTenant`, as backplane_app
-- or as the read-only login role of DATABASE_URL_READONLY; both see one org's rows only.
GRANT USAGE ON SCHEMA biomech TO backplane_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON biomech.athletes, biomech.sessions TO backplane_app;

ALTER TABLE biomech.athletes ENABLE ROW LEVEL SECURITY;
ALTER TABLE biomech.athletes FORCE ROW LEVEL SECURITY;
CREATE POLICY athletes_select ON biomech.athletes FOR SELECT
  USING (org_id = nullif(current_setting('app.org_id', true), ''));
CREATE POLICY athletes_insert ON biomech.athletes FOR INSERT
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), ''));
CREATE POLICY athletes_update ON biomech.athletes FOR UPDATE
  USING (org_id = nullif(current_setting('app.org_id', true), ''))
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), ''));
CREATE POLICY athletes_delete ON biomech.athletes FOR DELETE
  USING (org_id = nullif(current_setting('app.org_id', true), ''));

ALTER TABLE biomech.sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE biomech.sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY sessions_select ON biomech.sessions FOR SELECT
  USING (org_id = nullif(current_setting('app.org_id', true), ''));
CREATE POLICY sessions_insert ON biomech.sessions FOR INSERT
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), ''));
CREATE POLICY sessions_update ON biomech.sessions FOR UPDATE
  USING (org_id = nullif(current_setting('app.org_id', true), ''))
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), ''));
CREATE POLICY sessions_delete ON biomech.sessions FOR DELETE
  USING (org_id = nullif(current_setting('app.org_id', true), ''));
