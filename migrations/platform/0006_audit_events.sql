-- The audit log: who did what to which object, written in the same transaction as the change.
-- Append-only for the app role (INSERT and SELECT only); rows are never updated by anyone, and
-- only the retention job (service context) deletes them.

CREATE TABLE backplane.audit_events (
  -- Keyset order for paging: exact and monotonic per insert, unlike a timestamp.
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text NOT NULL UNIQUE CHECK (id ~ '^aud_[0-9a-z]+$'),
  -- NULL: a platform-wide action (a platform key, the CLI) that belongs to no one org.
  org_id text,
  actor_type text NOT NULL CHECK (actor_type IN ('api_key', 'user', 'service', 'env_key')),
  actor_id text NOT NULL CHECK (length(actor_id) BETWEEN 1 AND 255),
  -- Dotted noun.verb, e.g. key.created, dlq.replayed.
  action text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$' AND length(action) <= 100),
  target_type text CHECK (length(target_type) BETWEEN 1 AND 100),
  target_id text CHECK (length(target_id) BETWEEN 1 AND 255),
  request_id text CHECK (length(request_id) <= 255),
  client_ip inet,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object')
);

CREATE INDEX audit_events_org_seq_idx ON backplane.audit_events (org_id, seq DESC);
CREATE INDEX audit_events_occurred_idx ON backplane.audit_events (occurred_at);

-- Rows never change, whoever asks (the owner included): a correction is a new event.
CREATE FUNCTION backplane.audit_events_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON backplane.audit_events
  FOR EACH ROW EXECUTE FUNCTION backplane.audit_events_immutable();

ALTER TABLE backplane.audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE backplane.audit_events FORCE ROW LEVEL SECURITY;
-- A tenant reads and writes only its own org's events; no setting matches no row.
CREATE POLICY audit_events_select ON backplane.audit_events FOR SELECT
  USING (org_id = current_setting('app.org_id', true));
CREATE POLICY audit_events_insert ON backplane.audit_events FOR INSERT
  WITH CHECK (org_id = current_setting('app.org_id', true));

REVOKE ALL ON backplane.audit_events FROM backplane_app;
GRANT SELECT, INSERT ON backplane.audit_events TO backplane_app;
