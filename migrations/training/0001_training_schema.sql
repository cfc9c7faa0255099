-- Endurance training (seed 004 §2.2): the seed's four tables with its columns, plus what
-- WatermelonDB sync and the activity pipeline need. docs/training.md maps each to the seed.
--
-- Ids are WatermelonDB ids (text, 16 alphanumerics by default; `_ . -` allowed for custom
-- generators, per the WatermelonDB sync protocol), never UUIDs: a record created on a device
-- keeps the device's id, and a row created on the server gets one from training.new_sync_id().
--
-- Change tracking (docs/training.md, "How a pull stays consistent"):
--   server_changed_at  epoch ms of the transaction that last wrote the row, from the user's
--                      change clock (training.sync_clocks): strictly greater than every earlier
--                      stamp and every earlier pull's timestamp of that user.
--   server_created_at  the stamp of the row's insert: created vs updated in a pull.
--   push_last_pulled_at the lastPulledAt of the push that created the row (null when the
--                      server created it): the pushing device is not told to "create" its own record.
-- A pull locks the user's clock row, so writes of that user wait for it and writes already
-- under way are committed before it reads: a write committing during a pull is never missed.
CREATE SCHEMA IF NOT EXISTS training;
GRANT USAGE ON SCHEMA training TO backplane_app;

-- 16 characters from [0-9A-Za-z] out of 16 random bytes (two v4 UUIDs, skipping their fixed
-- version/variant bytes). Server-created rows use it; the app uses newSyncId() (same format).
CREATE FUNCTION training.new_sync_id() RETURNS text LANGUAGE sql VOLATILE AS $$
  SELECT string_agg(substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', get_byte(r.b, i) % 62 + 1, 1), '' ORDER BY n)
  FROM (SELECT uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()) AS b) AS r,
       unnest(ARRAY[0, 1, 2, 3, 4, 5, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17]) WITH ORDINALITY AS t(i, n)
$$;

CREATE FUNCTION training.clock_ms() RETURNS bigint LANGUAGE sql VOLATILE AS $$
  SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint
$$;

-- The seed's `users.settings jsonb`: the platform user (backplane.users) is the seed's user;
-- its training settings live here, one row per user (docs/training.md, "Users").
CREATE TABLE training.profiles (
  user_id text PRIMARY KEY REFERENCES backplane.users (id) ON DELETE CASCADE,
  settings jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(settings) = 'object'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Per-user change clock. A writing transaction advances it once (row lock held to commit); a
-- pull advances it to its own timestamp (row lock held while it reads).
CREATE TABLE training.sync_clocks (
  user_id text PRIMARY KEY REFERENCES backplane.users (id) ON DELETE CASCADE,
  last_ms bigint NOT NULL
);

-- The stamp of the calling transaction's changes to `p_user`'s rows: the same for every row the
-- transaction writes, and greater than any stamp or pull timestamp before it. Locks the clock row.
CREATE FUNCTION training.next_change_stamp(p_user text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  stamp bigint;
BEGIN
  SELECT last_ms INTO stamp FROM training.sync_clocks WHERE user_id = p_user AND xmin = pg_current_xact_id()::xid;
  IF FOUND THEN
    RETURN stamp;
  END IF;
  INSERT INTO training.sync_clocks AS c (user_id, last_ms) VALUES (p_user, training.clock_ms())
  ON CONFLICT (user_id) DO UPDATE SET last_ms = greatest(c.last_ms + 1, EXCLUDED.last_ms)
  RETURNING last_ms INTO stamp;
  RETURN stamp;
END $$;

-- Ids deleted on the server, per user and table, kept SYNC_TOMBSTONE_DAYS (the purge cron).
CREATE TABLE training.sync_tombstones (
  user_id text NOT NULL REFERENCES backplane.users (id) ON DELETE CASCADE,
  table_name text NOT NULL CHECK (table_name IN ('activities', 'daily_metrics', 'training_plans', 'scheduled_workouts')),
  record_id text NOT NULL,
  server_changed_at bigint NOT NULL,
  PRIMARY KEY (user_id, table_name, record_id)
);
CREATE INDEX sync_tombstones_changed_idx ON training.sync_tombstones (user_id, server_changed_at);
CREATE INDEX sync_tombstones_purge_idx ON training.sync_tombstones (server_changed_at);

-- One row: tombstones stamped before `purged_before` are gone, so a client whose lastPulledAt is
-- older gets a full replacement pull instead of an incremental one.
CREATE TABLE training.tombstone_horizon (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  purged_before bigint NOT NULL DEFAULT 0,
  purged_at timestamptz
);
INSERT INTO training.tombstone_horizon DEFAULT VALUES;

-- Seed: activities (workouts).
CREATE TABLE training.activities (
  id text PRIMARY KEY DEFAULT training.new_sync_id() CHECK (id ~ '^[0-9A-Za-z_.-]{1,64}$'),
  user_id text NOT NULL REFERENCES backplane.users (id) ON DELETE CASCADE,
  external_id text CHECK (length(external_id) BETWEEN 1 AND 200),
  source text CHECK (source IN ('garmin', 'strava', 'manual', 'apple')),
  type text CHECK (type IN ('run', 'cycle', 'swim')),
  start_time timestamptz NOT NULL,
  duration_sec integer CHECK (duration_sec >= 0),
  distance_meters double precision CHECK (distance_meters >= 0),
  avg_hr integer CHECK (avg_hr BETWEEN 0 AND 300),
  max_hr integer CHECK (max_hr BETWEEN 0 AND 300),
  data_stream jsonb,
  rpe integer CHECK (rpe BETWEEN 0 AND 10),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Computed by the pipeline (server-owned: a push never writes them).
  trimp double precision,
  training_load double precision,
  load_method text CHECK (load_method IN ('trimp', 'session_rpe')),
  analyzed_at timestamptz,
  -- Sync bookkeeping (server-owned, see the header).
  server_created_at bigint NOT NULL DEFAULT 0,
  server_changed_at bigint NOT NULL DEFAULT 0,
  push_last_pulled_at bigint,
  UNIQUE (user_id, source, external_id)
);
CREATE INDEX activities_changed_idx ON training.activities (user_id, server_changed_at);
CREATE INDEX activities_start_idx ON training.activities (user_id, start_time DESC);

-- Seed: daily metrics (readiness), one row per user and day.
CREATE TABLE training.daily_metrics (
  id text PRIMARY KEY DEFAULT training.new_sync_id() CHECK (id ~ '^[0-9A-Za-z_.-]{1,64}$'),
  user_id text NOT NULL REFERENCES backplane.users (id) ON DELETE CASCADE,
  date date NOT NULL,
  resting_hr integer CHECK (resting_hr BETWEEN 0 AND 300),
  hrv_rmssd double precision CHECK (hrv_rmssd >= 0),
  sleep_hours double precision CHECK (sleep_hours BETWEEN 0 AND 24),
  soreness_score integer,
  stress_score integer,
  -- Computed by the pipeline (server-owned).
  readiness_score integer CHECK (readiness_score BETWEEN 0 AND 100),
  acute_load double precision,
  chronic_load double precision,
  acwr double precision,
  acwr_flag boolean,
  analyzed_at timestamptz,
  server_created_at bigint NOT NULL DEFAULT 0,
  server_changed_at bigint NOT NULL DEFAULT 0,
  push_last_pulled_at bigint,
  UNIQUE (user_id, date)
);
CREATE INDEX daily_metrics_changed_idx ON training.daily_metrics (user_id, server_changed_at);

-- Seed: training plans.
CREATE TABLE training.training_plans (
  id text PRIMARY KEY DEFAULT training.new_sync_id() CHECK (id ~ '^[0-9A-Za-z_.-]{1,64}$'),
  user_id text NOT NULL REFERENCES backplane.users (id) ON DELETE CASCADE,
  goal_race_date date,
  current_phase text CHECK (length(current_phase) <= 100),
  server_created_at bigint NOT NULL DEFAULT 0,
  server_changed_at bigint NOT NULL DEFAULT 0,
  push_last_pulled_at bigint,
  -- The target of scheduled_workouts' (plan_id, user_id) reference: a workout only joins its own user's plan.
  UNIQUE (id, user_id)
);
CREATE INDEX training_plans_changed_idx ON training.training_plans (user_id, server_changed_at);

-- Seed: scheduled workouts. user_id is added (the seed reaches the user through the plan):
-- row-level security needs it on the row.
CREATE TABLE training.scheduled_workouts (
  id text PRIMARY KEY DEFAULT training.new_sync_id() CHECK (id ~ '^[0-9A-Za-z_.-]{1,64}$'),
  user_id text NOT NULL REFERENCES backplane.users (id) ON DELETE CASCADE,
  plan_id text,
  date date NOT NULL,
  type text CHECK (type IN ('long_run', 'interval', 'tempo', 'easy', 'recovery', 'race', 'cross_training', 'rest')),
  description text CHECK (length(description) <= 2000),
  target_distance_meters double precision CHECK (target_distance_meters >= 0),
  target_duration_sec integer CHECK (target_duration_sec >= 0),
  status text CHECK (status IN ('pending', 'completed', 'skipped')),
  -- Set by the pipeline when an activity completes the workout (server-owned).
  completed_activity_id text,
  server_created_at bigint NOT NULL DEFAULT 0,
  server_changed_at bigint NOT NULL DEFAULT 0,
  push_last_pulled_at bigint,
  -- Deferred: a push may carry a plan and its workouts in any order. Deleting a plan deletes its
  -- workouts (WatermelonDB sync: "delete all descendants"), and their tombstones are written.
  FOREIGN KEY (plan_id, user_id) REFERENCES training.training_plans (id, user_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX scheduled_workouts_changed_idx ON training.scheduled_workouts (user_id, server_changed_at);
CREATE INDEX scheduled_workouts_plan_idx ON training.scheduled_workouts (plan_id);
CREATE INDEX scheduled_workouts_date_idx ON training.scheduled_workouts (user_id, date);

-- Every insert or update of a synced row is stamped; an insert clears a tombstone of the same id
-- (a record never appears in both `deleted` and `created`); a row never moves to another user.
CREATE FUNCTION training.stamp_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (NEW.user_id IS DISTINCT FROM OLD.user_id OR NEW.id IS DISTINCT FROM OLD.id) THEN
    RAISE EXCEPTION 'a synced record keeps its id and user' USING ERRCODE = 'check_violation';
  END IF;
  NEW.server_changed_at := training.next_change_stamp(NEW.user_id);
  IF TG_OP = 'INSERT' THEN
    NEW.server_created_at := NEW.server_changed_at;
    DELETE FROM training.sync_tombstones WHERE user_id = NEW.user_id AND table_name = TG_TABLE_NAME AND record_id = NEW.id;
  ELSE
    NEW.server_created_at := OLD.server_created_at;
    NEW.push_last_pulled_at := OLD.push_last_pulled_at;
  END IF;
  RETURN NEW;
END $$;

CREATE FUNCTION training.record_tombstone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO training.sync_tombstones AS t (user_id, table_name, record_id, server_changed_at)
  VALUES (OLD.user_id, TG_TABLE_NAME, OLD.id, training.next_change_stamp(OLD.user_id))
  ON CONFLICT (user_id, table_name, record_id) DO UPDATE SET server_changed_at = EXCLUDED.server_changed_at;
  RETURN OLD;
END $$;

CREATE TRIGGER activities_stamp BEFORE INSERT OR UPDATE ON training.activities FOR EACH ROW EXECUTE FUNCTION training.stamp_change();
CREATE TRIGGER activities_tombstone AFTER DELETE ON training.activities FOR EACH ROW EXECUTE FUNCTION training.record_tombstone();
CREATE TRIGGER daily_metrics_stamp BEFORE INSERT OR UPDATE ON training.daily_metrics FOR EACH ROW EXECUTE FUNCTION training.stamp_change();
CREATE TRIGGER daily_metrics_tombstone AFTER DELETE ON training.daily_metrics FOR EACH ROW EXECUTE FUNCTION training.record_tombstone();
CREATE TRIGGER training_plans_stamp BEFORE INSERT OR UPDATE ON training.training_plans FOR EACH ROW EXECUTE FUNCTION training.stamp_change();
CREATE TRIGGER training_plans_tombstone AFTER DELETE ON training.training_plans FOR EACH ROW EXECUTE FUNCTION training.record_tombstone();
CREATE TRIGGER scheduled_workouts_stamp BEFORE INSERT OR UPDATE ON training.scheduled_workouts FOR EACH ROW EXECUTE FUNCTION training.stamp_change();
CREATE TRIGGER scheduled_workouts_tombstone AFTER DELETE ON training.scheduled_workouts FOR EACH ROW EXECUTE FUNCTION training.record_tombstone();

-- Row-level security: every table here but the horizon is one user's (app.user_id), with a
-- policy per command; the pipeline and crons work across users in the service context.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['profiles', 'sync_clocks', 'sync_tombstones', 'activities', 'daily_metrics', 'training_plans', 'scheduled_workouts'] LOOP
    EXECUTE format('ALTER TABLE training.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE training.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format($p$CREATE POLICY %I ON training.%I FOR SELECT USING (user_id = nullif(current_setting('app.user_id', true), ''))$p$, t || '_select', t);
    EXECUTE format($p$CREATE POLICY %I ON training.%I FOR INSERT WITH CHECK (user_id = nullif(current_setting('app.user_id', true), ''))$p$, t || '_insert', t);
    EXECUTE format($p$CREATE POLICY %I ON training.%I FOR UPDATE USING (user_id = nullif(current_setting('app.user_id', true), '')) WITH CHECK (user_id = nullif(current_setting('app.user_id', true), ''))$p$, t || '_update', t);
    EXECUTE format($p$CREATE POLICY %I ON training.%I FOR DELETE USING (user_id = nullif(current_setting('app.user_id', true), ''))$p$, t || '_delete', t);
  END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE, DELETE ON training.activities, training.daily_metrics, training.training_plans, training.scheduled_workouts TO backplane_app;
GRANT SELECT, INSERT, UPDATE ON training.profiles, training.sync_clocks TO backplane_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON training.sync_tombstones TO backplane_app;
GRANT SELECT ON training.tombstone_horizon TO backplane_app;
