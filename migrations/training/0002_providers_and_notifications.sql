-- Training ingestion (issue 12 items 4-6): provider connections, the notification outbox and the
-- Expo push devices it sends to. docs/training.md describes each; all are user-owned and RLS-forced.

-- A user's Strava or Garmin account. OAuth tokens are sealed (AES-256-GCM, key derived from
-- BACKPLANE_SECRET, bound to the row): `v1.<key id>.<sealed>`; never stored in the clear.
CREATE TABLE training.provider_connections (
  id text PRIMARY KEY CHECK (id ~ '^pcn_[0-9a-z]+$'),
  user_id text NOT NULL REFERENCES backplane.users (id) ON DELETE CASCADE,
  provider text NOT NULL CHECK (provider IN ('strava', 'garmin')),
  -- Strava athlete id (webhook owner_id), Garmin userId.
  external_user_id text NOT NULL CHECK (length(external_user_id) BETWEEN 1 AND 200),
  access_token text CHECK (access_token ~ '^v1\.[0-9a-f]{16}\.'),
  refresh_token text CHECK (refresh_token ~ '^v1\.[0-9a-f]{16}\.'),
  -- When the access token stops working (Strava: 6 h); refreshed before that.
  expires_at timestamptz,
  -- Garmin: HMAC-SHA-256 (hex) of the userAccessToken push notifications carry, keyed from BACKPLANE_SECRET.
  user_token_digest text CHECK (user_token_digest ~ '^[0-9a-f]{64}$'),
  scope text CHECK (length(scope) <= 500),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
  connected_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  UNIQUE (user_id, provider),
  CHECK ((status = 'revoked') = (revoked_at IS NOT NULL))
);
-- One live link per vendor account: webhooks find the user by it.
CREATE UNIQUE INDEX provider_connections_external_idx ON training.provider_connections (provider, external_user_id)
  WHERE status = 'active';

-- "New Run Analyzed" and its like, written in the pipeline's transaction and delivered by a job
-- with retries (Expo push, Standard Webhooks). One row per (event, channel): a re-run of the
-- pipeline never notifies twice.
CREATE TABLE training.notification_outbox (
  id text PRIMARY KEY CHECK (id ~ '^ntf_[0-9a-z]+$'),
  user_id text NOT NULL REFERENCES backplane.users (id) ON DELETE CASCADE,
  channel text NOT NULL CHECK (channel IN ('expo', 'webhook')),
  dedupe_key text NOT NULL UNIQUE CHECK (length(dedupe_key) BETWEEN 1 AND 300),
  payload jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'skipped')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz
);
CREATE INDEX notification_outbox_user_idx ON training.notification_outbox (user_id, created_at DESC);

-- Expo push tokens of the user's devices (PUT /api/training/push-devices).
CREATE TABLE training.push_devices (
  user_id text NOT NULL REFERENCES backplane.users (id) ON DELETE CASCADE,
  expo_push_token text NOT NULL CHECK (expo_push_token ~ '^(Exponent|Expo)PushToken\[[A-Za-z0-9_-]{10,200}\]$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, expo_push_token)
);

-- Row-level security: each row is its user's only (platform pattern). Webhook intake and the
-- pipeline find the user before they know it (by the vendor account) in the service context.
ALTER TABLE training.provider_connections ENABLE ROW LEVEL SECURITY;
ALTER TABLE training.provider_connections FORCE ROW LEVEL SECURITY;
CREATE POLICY provider_connections_select ON training.provider_connections FOR SELECT
  USING (user_id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY provider_connections_insert ON training.provider_connections FOR INSERT
  WITH CHECK (user_id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY provider_connections_update ON training.provider_connections FOR UPDATE
  USING (user_id = nullif(current_setting('app.user_id', true), ''))
  WITH CHECK (user_id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY provider_connections_delete ON training.provider_connections FOR DELETE
  USING (user_id = nullif(current_setting('app.user_id', true), ''));

ALTER TABLE training.notification_outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE training.notification_outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY notification_outbox_select ON training.notification_outbox FOR SELECT
  USING (user_id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY notification_outbox_insert ON training.notification_outbox FOR INSERT
  WITH CHECK (user_id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY notification_outbox_update ON training.notification_outbox FOR UPDATE
  USING (user_id = nullif(current_setting('app.user_id', true), ''))
  WITH CHECK (user_id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY notification_outbox_delete ON training.notification_outbox FOR DELETE
  USING (user_id = nullif(current_setting('app.user_id', true), ''));

ALTER TABLE training.push_devices ENABLE ROW LEVEL SECURITY;
ALTER TABLE training.push_devices FORCE ROW LEVEL SECURITY;
CREATE POLICY push_devices_select ON training.push_devices FOR SELECT
  USING (user_id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY push_devices_insert ON training.push_devices FOR INSERT
  WITH CHECK (user_id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY push_devices_update ON training.push_devices FOR UPDATE
  USING (user_id = nullif(current_setting('app.user_id', true), ''))
  WITH CHECK (user_id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY push_devices_delete ON training.push_devices FOR DELETE
  USING (user_id = nullif(current_setting('app.user_id', true), ''));

GRANT SELECT, INSERT, UPDATE ON training.provider_connections TO backplane_app;
GRANT SELECT, INSERT, UPDATE ON training.notification_outbox TO backplane_app;
GRANT SELECT, INSERT, DELETE ON training.push_devices TO backplane_app;
