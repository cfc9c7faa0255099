-- Biomech capture data: athletes and their capture sessions, always owned by one org.
CREATE SCHEMA IF NOT EXISTS biomech;

CREATE TABLE biomech.athletes (
  id text PRIMARY KEY CHECK (id ~ '^ath_[0-9a-z]+$'),
  org_id text NOT NULL REFERENCES backplane.orgs (id) ON DELETE CASCADE,
  display_name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Lets sessions reference (org_id, athlete id), so a session can never point at another org's athlete.
  UNIQUE (org_id, id)
);

CREATE TABLE biomech.sessions (
  id text PRIMARY KEY CHECK (id ~ '^ses_[0-9a-z]+$'),
  org_id text NOT NULL,
  athlete_id text NOT NULL,
  -- Millisecond precision on purpose: the keyset cursor carries this value through JSON
  -- and JavaScript dates, which hold milliseconds; microseconds would break the page seams.
  captured_at timestamptz(3) NOT NULL,
  kind text NOT NULL CHECK (kind IN ('sprint', 'jump', 'squat', 'throw', 'gait')),
  duration_ms integer NOT NULL CHECK (duration_ms >= 0),
  -- Summary metrics a coaching app shows; typed so they can be filtered and indexed later.
  rep_count integer NOT NULL DEFAULT 0 CHECK (rep_count >= 0),
  peak_force_n double precision,
  peak_velocity_mps double precision,
  asymmetry_pct double precision,
  -- Raw capture (sensor frames, device metadata). Stored for analysis, never returned by the read API.
  raw jsonb,
  device_serial text,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (org_id, athlete_id) REFERENCES biomech.athletes (org_id, id) ON DELETE CASCADE
);

-- The two read paths, and nothing else:
-- 1. GET /api/biomech/sessions?orgId=…  →  WHERE org_id = $1 AND (captured_at, id) < cursor
--    ORDER BY captured_at DESC, id DESC LIMIT n. Equality column first, then the sort
--    columns in sort order, so each page is one index range scan with no sort step.
CREATE INDEX sessions_org_captured_idx ON biomech.sessions (org_id, captured_at DESC, id DESC);
-- 2. The same with &athleteId=…: athlete_id joins the equality prefix.
CREATE INDEX sessions_org_athlete_captured_idx ON biomech.sessions (org_id, athlete_id, captured_at DESC, id DESC);
-- GET /api/biomech/sessions/{id}?orgId=… is served by the primary key (then org_id is checked on the one row).
