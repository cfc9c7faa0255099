-- Seed 001 (VisAPI): workflows, their trigger keys, runs, step runs and the seed's logs table.
-- Every table is org-owned: row-level security keyed on app.org_id (ENABLE + FORCE), a missing
-- setting matches no row, and the app role gets only what the module does.
CREATE SCHEMA IF NOT EXISTS workflows;
GRANT USAGE ON SCHEMA workflows TO backplane_app;

CREATE TABLE workflows.workflows (
  id text PRIMARY KEY CHECK (id ~ '^wf_[0-9a-z]+$'),
  org_id text NOT NULL REFERENCES backplane.orgs (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  priority text NOT NULL CHECK (priority IN ('critical', 'default', 'bulk')),
  -- The ordered steps, validated by the module's zod union before they get here.
  steps jsonb NOT NULL CHECK (jsonb_typeof(steps) = 'array'),
  disabled_at timestamptz,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX workflows_org_created_idx ON workflows.workflows (org_id, created_at DESC, id DESC);

CREATE TABLE workflows.triggers (
  id text PRIMARY KEY CHECK (id ~ '^trig_[0-9a-z]+$'),
  org_id text NOT NULL REFERENCES backplane.orgs (id) ON DELETE CASCADE,
  workflow_id text NOT NULL REFERENCES workflows.workflows (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  -- HMAC-SHA-256 (hex) of the trigger key under a key derived from BACKPLANE_SECRET; never the key.
  digest text NOT NULL UNIQUE CHECK (digest ~ '^[0-9a-f]{64}$'),
  -- e.g. "trg_Ab3d": enough to tell keys apart.
  prefix text NOT NULL,
  disabled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  rotated_at timestamptz
);
CREATE INDEX triggers_workflow_idx ON workflows.triggers (workflow_id);

CREATE TABLE workflows.runs (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text NOT NULL UNIQUE CHECK (id ~ '^run_[0-9a-z]+$'),
  org_id text NOT NULL REFERENCES backplane.orgs (id) ON DELETE CASCADE,
  workflow_id text NOT NULL REFERENCES workflows.workflows (id) ON DELETE CASCADE,
  trigger_id text REFERENCES workflows.triggers (id) ON DELETE SET NULL,
  event_id text,
  status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  -- The steps as they were when the run started (a later edit does not change a running run).
  steps jsonb NOT NULL,
  -- {trigger: {body, contentType}, steps: {<name>: {response: …}}}: what templates read.
  context jsonb NOT NULL,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz
);
CREATE INDEX runs_workflow_seq_idx ON workflows.runs (workflow_id, seq DESC);
CREATE UNIQUE INDEX runs_event_idx ON workflows.runs (event_id) WHERE event_id IS NOT NULL;

CREATE TABLE workflows.step_runs (
  run_id text NOT NULL REFERENCES workflows.runs (id) ON DELETE CASCADE,
  step_index integer NOT NULL CHECK (step_index >= 0),
  org_id text NOT NULL REFERENCES backplane.orgs (id) ON DELETE CASCADE,
  name text NOT NULL,
  type text NOT NULL,
  status text NOT NULL CHECK (status IN ('queued', 'running', 'waiting', 'succeeded', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  job_id text,
  -- Size-capped (64 KB of JSON); a larger output is replaced by a note saying so.
  output jsonb,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  PRIMARY KEY (run_id, step_index)
);

-- The seed's logs table (id, level, message, metadata, workflow_id, job_id, pii_redacted,
-- created_at) plus org_id. Messages and metadata are redacted before insert.
CREATE TABLE workflows.logs (
  seq bigint GENERATED ALWAYS AS IDENTITY,
  id text PRIMARY KEY CHECK (id ~ '^log_[0-9a-z]+$'),
  org_id text NOT NULL REFERENCES backplane.orgs (id) ON DELETE CASCADE,
  level text NOT NULL CHECK (level IN ('debug', 'info', 'warn', 'error')),
  message text NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  workflow_id text,
  job_id text,
  pii_redacted boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX logs_seq_idx ON workflows.logs (seq);
CREATE INDEX logs_org_seq_idx ON workflows.logs (org_id, seq DESC);
CREATE INDEX logs_created_idx ON workflows.logs (created_at);

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['workflows', 'triggers', 'runs', 'step_runs', 'logs'] LOOP
    EXECUTE format('ALTER TABLE workflows.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE workflows.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON workflows.%I FOR SELECT USING (org_id = current_setting(''app.org_id'', true))', t || '_select', t);
    EXECUTE format('CREATE POLICY %I ON workflows.%I FOR INSERT WITH CHECK (org_id = current_setting(''app.org_id'', true))', t || '_insert', t);
    EXECUTE format(
      'CREATE POLICY %I ON workflows.%I FOR UPDATE USING (org_id = current_setting(''app.org_id'', true)) WITH CHECK (org_id = current_setting(''app.org_id'', true))',
      t || '_update', t);
    -- The app role has no DELETE grant (retention runs as a service); the policy keeps the rule complete.
    EXECUTE format('CREATE POLICY %I ON workflows.%I FOR DELETE USING (org_id = current_setting(''app.org_id'', true))', t || '_delete', t);
  END LOOP;
END $$;

-- No DELETE for the app role: workflows are disabled, not deleted; retention runs as a service.
GRANT SELECT, INSERT, UPDATE ON workflows.workflows, workflows.triggers, workflows.runs, workflows.step_runs TO backplane_app;
GRANT SELECT, INSERT ON workflows.logs TO backplane_app;
