-- Floyo (seed 002): usage telemetry, the insights derived from it, privacy settings, and
-- integrations with suggestions. docs/insights.md maps each table to the seed. Every table that
-- holds a user's data is user-owned (row-level security on app.user_id); the integration catalog
-- is global product content.
CREATE SCHEMA IF NOT EXISTS insights;
GRANT USAGE ON SCHEMA insights TO backplane_app;

-- GET/PUT /api/privacy/settings. No row = the defaults (telemetry on, 90 days).
CREATE TABLE insights.privacy_settings (
  user_id text PRIMARY KEY REFERENCES backplane.users (id) ON DELETE CASCADE,
  telemetry_enabled boolean NOT NULL DEFAULT true,
  retention_days integer NOT NULL DEFAULT 90 CHECK (retention_days BETWEEN 7 AND 365),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Raw usage events, appended by POST /api/telemetry/events. (user_id, id) is the client's own
-- event id: a retried batch inserts nothing twice. `seq` is the analysis watermark: inserts of one
-- user are serialized (an advisory lock per user in the ingest transaction), so for one user seq
-- order is commit order and "everything after the watermark" never skips a late commit.
CREATE TABLE insights.telemetry_events (
  user_id text NOT NULL REFERENCES backplane.users (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  type text NOT NULL CHECK (type ~ '^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,99}$'),
  app text CHECK (length(app) BETWEEN 1 AND 100),
  occurred_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  properties jsonb CHECK (properties IS NULL OR jsonb_typeof(properties) = 'object'),
  PRIMARY KEY (user_id, id)
);
CREATE INDEX telemetry_events_user_seq_idx ON insights.telemetry_events (user_id, seq);
-- Retention (per user) and time windows.
CREATE INDEX telemetry_events_user_occurred_idx ON insights.telemetry_events (user_id, occurred_at);

-- Events per user, UTC hour, app ('' = none) and type: what time-of-day, weekday, streak and
-- suggestion evidence read. Kept up to date by insights.ingest-telemetry from its watermark.
CREATE TABLE insights.usage_hourly (
  user_id text NOT NULL REFERENCES backplane.users (id) ON DELETE CASCADE,
  hour timestamptz NOT NULL,
  app text NOT NULL DEFAULT '',
  type text NOT NULL,
  events integer NOT NULL CHECK (events > 0),
  PRIMARY KEY (user_id, hour, app, type)
);

-- Consecutive event types (2 and 3 long, repeats collapsed) within a session, per UTC day of the
-- sequence's last event. Kept by insights.analyze-patterns from its watermark.
CREATE TABLE insights.sequence_daily (
  user_id text NOT NULL REFERENCES backplane.users (id) ON DELETE CASCADE,
  day date NOT NULL,
  sequence text[] NOT NULL CHECK (cardinality(sequence) BETWEEN 2 AND 3),
  occurrences integer NOT NULL CHECK (occurrences > 0),
  PRIMARY KEY (user_id, day, sequence)
);

-- Per app and UTC day: latency and error counts, with a mergeable quantile sketch (DDSketch
-- buckets, 1% relative accuracy) so percentiles over any window of days come from these rows.
-- Kept by insights.analyze-performance from its watermark.
CREATE TABLE insights.app_performance_daily (
  user_id text NOT NULL REFERENCES backplane.users (id) ON DELETE CASCADE,
  app text NOT NULL,
  day date NOT NULL,
  samples integer NOT NULL CHECK (samples >= 0),
  errors integer NOT NULL CHECK (errors >= 0),
  latency_count integer NOT NULL CHECK (latency_count >= 0),
  latency_sum double precision NOT NULL DEFAULT 0,
  latency_max double precision,
  sketch jsonb NOT NULL DEFAULT '{}'::jsonb,
  PRIMARY KEY (user_id, app, day)
);

-- Each analysis's watermark (the last telemetry seq it has taken in) and its latest summary, per
-- user. The row is locked while a run works, so two runs for one user never interleave.
CREATE TABLE insights.analysis_state (
  user_id text NOT NULL REFERENCES backplane.users (id) ON DELETE CASCADE,
  analysis text NOT NULL CHECK (analysis IN ('ingest', 'patterns', 'performance', 'suggestions')),
  watermark bigint NOT NULL DEFAULT 0,
  summary jsonb,
  runs integer NOT NULL DEFAULT 0,
  last_run_at timestamptz,
  PRIMARY KEY (user_id, analysis)
);

-- What the analyses found, one row per finding (key: `sequence:a>b`, `peak-hour`, `slow-app:x`).
-- A later run updates a finding in place and removes those that no longer hold. GET /api/insights
-- lists them newest first on `seq`.
CREATE TABLE insights.insights (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text NOT NULL UNIQUE CHECK (id ~ '^ins_[0-9a-z]+$'),
  user_id text NOT NULL REFERENCES backplane.users (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('pattern', 'performance')),
  key text NOT NULL CHECK (length(key) BETWEEN 1 AND 400),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  data jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, key)
);
CREATE INDEX insights_user_seq_idx ON insights.insights (user_id, seq DESC);

-- Integrations Floyo can connect (seeded in 0002). Product content, the same for everyone.
CREATE TABLE insights.integration_catalog (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  category text NOT NULL CHECK (length(category) BETWEEN 1 AND 50),
  description text NOT NULL CHECK (length(description) <= 500),
  website text NOT NULL CHECK (website ~ '^https://'),
  -- Telemetry `app` values that mean this product (lower-case).
  apps text[] NOT NULL DEFAULT '{}',
  -- Telemetry event types this integration automates or enriches.
  event_types text[] NOT NULL DEFAULT '{}',
  position integer NOT NULL
);

-- A user's connected integrations. `config` is the validated, non-secret part; `credentials` the
-- secret part, sealed (AES-256-GCM under a key derived from BACKPLANE_SECRET, bound to the user
-- and integration), never returned.
CREATE TABLE insights.integration_connections (
  user_id text NOT NULL REFERENCES backplane.users (id) ON DELETE CASCADE,
  integration_id text NOT NULL REFERENCES insights.integration_catalog (id),
  config jsonb NOT NULL DEFAULT '{}'::jsonb,
  credentials bytea,
  credential_fields text[] NOT NULL DEFAULT '{}',
  connected_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, integration_id)
);

-- Written by insights.generate-suggestions: an integration worth connecting, why (evidence counts),
-- and whether the user dismissed it (a dismissed suggestion is not offered again).
CREATE TABLE insights.suggestions (
  id text PRIMARY KEY CHECK (id ~ '^sug_[0-9a-z]+$'),
  user_id text NOT NULL REFERENCES backplane.users (id) ON DELETE CASCADE,
  integration_id text NOT NULL REFERENCES insights.integration_catalog (id),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
  evidence jsonb NOT NULL,
  score double precision NOT NULL,
  dismissed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, integration_id)
);

-- Row-level security: a user's context sees and writes only that user's rows. Analysis jobs run in
-- the context of the user they analyse; only the retention cleanup works across users.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['privacy_settings', 'telemetry_events', 'usage_hourly', 'sequence_daily', 'app_performance_daily',
                           'analysis_state', 'insights', 'integration_connections', 'suggestions'] LOOP
    EXECUTE format('ALTER TABLE insights.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE insights.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format($p$CREATE POLICY %I ON insights.%I FOR SELECT USING (user_id = nullif(current_setting('app.user_id', true), ''))$p$,
                   t || '_select', t);
    EXECUTE format($p$CREATE POLICY %I ON insights.%I FOR INSERT WITH CHECK (user_id = nullif(current_setting('app.user_id', true), ''))$p$,
                   t || '_insert', t);
    EXECUTE format($p$CREATE POLICY %I ON insights.%I FOR UPDATE USING (user_id = nullif(current_setting('app.user_id', true), ''))
                      WITH CHECK (user_id = nullif(current_setting('app.user_id', true), ''))$p$, t || '_update', t);
    EXECUTE format($p$CREATE POLICY %I ON insights.%I FOR DELETE USING (user_id = nullif(current_setting('app.user_id', true), ''))$p$,
                   t || '_delete', t);
  END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE ON insights.privacy_settings TO backplane_app;
-- Telemetry is appended, never edited by a user; retention and erasure delete it.
GRANT SELECT, INSERT, DELETE ON insights.telemetry_events TO backplane_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON insights.usage_hourly, insights.sequence_daily, insights.app_performance_daily,
  insights.analysis_state, insights.insights, insights.integration_connections, insights.suggestions TO backplane_app;
GRANT SELECT ON insights.integration_catalog TO backplane_app;
