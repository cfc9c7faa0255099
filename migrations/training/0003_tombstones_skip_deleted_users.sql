-- Deleting a user cascades to their synced rows, whose delete trigger would then write a
-- tombstone and advance the clock for a user that no longer exists (a foreign key violation
-- that made the user undeletable). Nobody is left to pull those deletions: skip them.
CREATE OR REPLACE FUNCTION training.record_tombstone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM backplane.users WHERE id = OLD.user_id) THEN
    RETURN OLD;
  END IF;
  INSERT INTO training.sync_tombstones AS t (user_id, table_name, record_id, server_changed_at)
  VALUES (OLD.user_id, TG_TABLE_NAME, OLD.id, training.next_change_stamp(OLD.user_id))
  ON CONFLICT (user_id, table_name, record_id) DO UPDATE SET server_changed_at = EXCLUDED.server_changed_at;
  RETURN OLD;
END $$;
