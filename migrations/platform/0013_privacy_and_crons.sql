-- Privacy requests (export and delete of one user's data across every module), the cron tick
-- ledger that makes a tick run once however it is triggered (Vercel Cron over HTTP, or the
-- worker's schedule), and the metrics snapshots. docs/privacy.md says how they are used.

-- One export: built by a job into one JSON bundle, sealed (AES-256-GCM under a key derived from
-- BACKPLANE_SECRET), downloadable for 24 hours, then deleted by the daily cleanup.
CREATE TABLE backplane.privacy_exports (
  id text PRIMARY KEY CHECK (id ~ '^pex_[0-9a-z]+$'),
  user_id text NOT NULL REFERENCES backplane.users (id) ON DELETE CASCADE,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ready', 'failed')),
  requested_at timestamptz NOT NULL,
  completed_at timestamptz,
  expires_at timestamptz,
  bundle bytea,
  bytes integer CHECK (bytes >= 0),
  error text CHECK (length(error) <= 1000),
  CHECK ((status = 'ready') = (bundle IS NOT NULL AND expires_at IS NOT NULL))
);
CREATE INDEX privacy_exports_user_idx ON backplane.privacy_exports (user_id, requested_at DESC);
CREATE INDEX privacy_exports_expires_idx ON backplane.privacy_exports (expires_at);
-- One export being built per user: asking again meanwhile answers the one under way.
CREATE UNIQUE INDEX privacy_exports_pending_idx ON backplane.privacy_exports (user_id) WHERE status = 'pending';

-- One erasure. user_id is cleared in the transaction that erases the user (the foreign key's SET
-- NULL): afterwards only the pseudonym remains, the same one the audit row of the erasure carries.
CREATE TABLE backplane.privacy_deletions (
  id text PRIMARY KEY CHECK (id ~ '^pdl_[0-9a-z]+$'),
  user_id text REFERENCES backplane.users (id) ON DELETE SET NULL,
  pseudonym text NOT NULL CHECK (pseudonym ~ '^anon_[0-9a-f]+$'),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
  requested_at timestamptz NOT NULL,
  completed_at timestamptz,
  counts jsonb,
  CHECK (status = 'pending' OR user_id IS NULL)
);
-- One pending erasure per user: asking twice answers the one already under way.
CREATE UNIQUE INDEX privacy_deletions_pending_idx ON backplane.privacy_deletions (user_id) WHERE status = 'pending';

ALTER TABLE backplane.privacy_exports ENABLE ROW LEVEL SECURITY;
ALTER TABLE backplane.privacy_exports FORCE ROW LEVEL SECURITY;
CREATE POLICY privacy_exports_select ON backplane.privacy_exports FOR SELECT
  USING (user_id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY privacy_exports_insert ON backplane.privacy_exports FOR INSERT
  WITH CHECK (user_id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY privacy_exports_update ON backplane.privacy_exports FOR UPDATE
  USING (user_id = nullif(current_setting('app.user_id', true), ''))
  WITH CHECK (user_id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY privacy_exports_delete ON backplane.privacy_exports FOR DELETE
  USING (user_id = nullif(current_setting('app.user_id', true), ''));

ALTER TABLE backplane.privacy_deletions ENABLE ROW LEVEL SECURITY;
ALTER TABLE backplane.privacy_deletions FORCE ROW LEVEL SECURITY;
CREATE POLICY privacy_deletions_select ON backplane.privacy_deletions FOR SELECT
  USING (user_id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY privacy_deletions_insert ON backplane.privacy_deletions FOR INSERT
  WITH CHECK (user_id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY privacy_deletions_update ON backplane.privacy_deletions FOR UPDATE
  USING (user_id = nullif(current_setting('app.user_id', true), ''))
  WITH CHECK (user_id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY privacy_deletions_delete ON backplane.privacy_deletions FOR DELETE
  USING (user_id = nullif(current_setting('app.user_id', true), ''));

-- The request routes run as the user (insert and read their own rows); the jobs build and erase
-- in the service context.
GRANT SELECT, INSERT ON backplane.privacy_exports TO backplane_app;
GRANT SELECT, INSERT ON backplane.privacy_deletions TO backplane_app;

-- One row per (job, scheduled tick): the primary key is what makes the HTTP trigger and the
-- worker's schedule run a tick once between them. A failed run (or one that stopped without
-- finishing for an hour) may be claimed again for the same tick.
CREATE TABLE backplane.cron_ticks (
  job text NOT NULL CHECK (length(job) BETWEEN 1 AND 200),
  tick timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('running', 'done', 'failed')),
  triggered_by text NOT NULL CHECK (triggered_by IN ('http', 'worker')),
  attempts integer NOT NULL DEFAULT 1 CHECK (attempts >= 1),
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  result jsonb,
  PRIMARY KEY (job, tick)
);
CREATE INDEX cron_ticks_tick_idx ON backplane.cron_ticks (tick);

-- One row per metrics collection tick: counts across every org (platform figures, no tenant rows).
CREATE TABLE backplane.metric_snapshots (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tick timestamptz NOT NULL UNIQUE,
  collected_at timestamptz NOT NULL,
  window_from timestamptz,
  metrics jsonb NOT NULL CHECK (jsonb_typeof(metrics) = 'object')
);

-- Platform bookkeeping, read and written only by the platform (the connecting role): no policy, no grant.
ALTER TABLE backplane.cron_ticks ENABLE ROW LEVEL SECURITY;
ALTER TABLE backplane.cron_ticks FORCE ROW LEVEL SECURITY;
ALTER TABLE backplane.metric_snapshots ENABLE ROW LEVEL SECURITY;
ALTER TABLE backplane.metric_snapshots FORCE ROW LEVEL SECURITY;

-- Sign-ins from another identity provider (Supabase Auth access tokens) linked to a platform
-- user: the provider's subject (`sub`) under its issuer, linked by email on first sight.
CREATE TABLE backplane.external_identities (
  provider text NOT NULL CHECK (provider IN ('supabase')),
  issuer text NOT NULL CHECK (length(issuer) BETWEEN 1 AND 500),
  subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
  user_id text NOT NULL REFERENCES backplane.users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  PRIMARY KEY (provider, issuer, subject)
);
CREATE INDEX external_identities_user_idx ON backplane.external_identities (user_id);

-- Looked up before anyone is known (authentication: the service context), like sessions; a user
-- sees their own links.
ALTER TABLE backplane.external_identities ENABLE ROW LEVEL SECURITY;
ALTER TABLE backplane.external_identities FORCE ROW LEVEL SECURITY;
CREATE POLICY external_identities_select ON backplane.external_identities FOR SELECT
  USING (user_id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY external_identities_insert ON backplane.external_identities FOR INSERT
  WITH CHECK (user_id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY external_identities_update ON backplane.external_identities FOR UPDATE
  USING (user_id = nullif(current_setting('app.user_id', true), ''))
  WITH CHECK (user_id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY external_identities_delete ON backplane.external_identities FOR DELETE
  USING (user_id = nullif(current_setting('app.user_id', true), ''));
GRANT SELECT ON backplane.external_identities TO backplane_app;
