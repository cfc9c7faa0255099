-- The inbound webhook inbox (src/platform/webhooks/): every verified event is stored as received
-- and its processing job enqueued in the same transaction, before the sender gets its 2xx.

CREATE TABLE backplane.webhook_events (
  -- Keyset order for paging: exact and monotonic per insert, unlike a timestamp.
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text NOT NULL UNIQUE CHECK (id ~ '^whe_[0-9a-z]+$'),
  -- NULL: an event whose org is not known when it arrives (resolved by its job); only service
  -- work sees such rows.
  org_id text REFERENCES backplane.orgs (id) ON DELETE CASCADE,
  -- Who sent it: `workflow-trigger:trig_…`, `garmin`, `strava`, …
  source text NOT NULL CHECK (length(source) BETWEEN 1 AND 200),
  -- The sender's own event id (or the Idempotency-Key): a provider's retry of it is a no-op.
  external_id text CHECK (length(external_id) BETWEEN 1 AND 255),
  content_type text NOT NULL,
  -- A safe subset of the request headers (never credentials).
  headers jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- The bytes exactly as received, for re-verification and replay.
  body bytea NOT NULL,
  -- The job that processes it (replay enqueues it again).
  job text NOT NULL,
  status text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'processed', 'failed')),
  replays integer NOT NULL DEFAULT 0,
  last_error text,
  received_at timestamptz NOT NULL DEFAULT now(),
  processed_at timestamptz,
  UNIQUE (source, external_id)
);

CREATE INDEX webhook_events_org_seq_idx ON backplane.webhook_events (org_id, seq DESC);
CREATE INDEX webhook_events_received_idx ON backplane.webhook_events (received_at);

ALTER TABLE backplane.webhook_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE backplane.webhook_events FORCE ROW LEVEL SECURITY;
-- A tenant sees and writes only its own org's events; no setting matches no row.
CREATE POLICY webhook_events_select ON backplane.webhook_events FOR SELECT
  USING (org_id = current_setting('app.org_id', true));
CREATE POLICY webhook_events_insert ON backplane.webhook_events FOR INSERT
  WITH CHECK (org_id = current_setting('app.org_id', true));
CREATE POLICY webhook_events_update ON backplane.webhook_events FOR UPDATE
  USING (org_id = current_setting('app.org_id', true))
  WITH CHECK (org_id = current_setting('app.org_id', true));
-- No DELETE grant (retention runs as a service); the policy keeps the rule complete all the same.
CREATE POLICY webhook_events_delete ON backplane.webhook_events FOR DELETE
  USING (org_id = current_setting('app.org_id', true));

REVOKE ALL ON backplane.webhook_events FROM backplane_app;
GRANT SELECT, INSERT, UPDATE ON backplane.webhook_events TO backplane_app;
