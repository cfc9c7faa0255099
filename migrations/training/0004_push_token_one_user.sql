-- An Expo push token is one app install: it belongs to the user last signed in on it. Before,
-- (user_id, expo_push_token) let two users hold it, so a phone handed over (or signed out and in
-- as someone else) kept receiving the first user's notifications.
DELETE FROM training.push_devices d
USING training.push_devices newer
WHERE newer.expo_push_token = d.expo_push_token
  AND (newer.created_at, newer.user_id) > (d.created_at, d.user_id);

ALTER TABLE training.push_devices DROP CONSTRAINT push_devices_pkey;
ALTER TABLE training.push_devices ADD PRIMARY KEY (expo_push_token);
CREATE INDEX push_devices_user_idx ON training.push_devices (user_id);
