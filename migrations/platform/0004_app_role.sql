-- The role tenant work runs as. `withTenant` (src/platform/tenancy/with-tenant.ts) switches to it
-- for one transaction (set_config('role', 'backplane_app', true)), so row-level security applies
-- even when the connection itself is a superuser (PGlite, tests) or owns the tables.
--
-- Roles are cluster-wide: several databases on one server (test databases, staging next to
-- production) share this one role, so creating it must tolerate it existing already, and two
-- migrations racing to create it (duplicate_object, or unique_violation on pg_authid).
-- Creating it needs CREATEROLE on the connecting role, or an administrator creates it first with
-- exactly these attributes and grants it to that role; then this block only checks it is there.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'backplane_app') THEN
    CREATE ROLE backplane_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END $$;

-- The role that runs the app (and these migrations) must be able to SET ROLE to it. A superuser
-- can anyway; on PostgreSQL 16+ even the role that created it needs an explicit grant. Tried
-- first, so a role an administrator already granted needs no right to grant it again.
DO $$
BEGIN
  BEGIN
    SET LOCAL ROLE backplane_app;
    RESET ROLE;
  EXCEPTION WHEN insufficient_privilege THEN
    EXECUTE format('GRANT backplane_app TO %I', session_user);
  END;
END $$;

-- What the app role may touch is granted table by table in each migration (no default
-- privileges): a table nobody granted fails loudly in tests instead of being open by accident.
GRANT USAGE ON SCHEMA backplane TO backplane_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON backplane.orgs, backplane.api_keys TO backplane_app;
