-- The admin console lists every org's runs newest first, filtered by org, and opens a run with its
-- own log lines (those whose metadata names the run): both stay index scans with 100,000 rows.
CREATE INDEX runs_org_seq_idx ON workflows.runs (org_id, seq DESC);
CREATE INDEX logs_run_idx ON workflows.logs (org_id, (metadata->>'runId'), seq) WHERE metadata ? 'runId';
