-- Which key created which: a key made over HTTP records the key that called POST /api/v1/keys
-- (NULL for keys made by the CLI, the seed or before this migration). Revoking a key with
-- ?cascade=true follows this link down to every key it created, transitively.
ALTER TABLE backplane.api_keys
  ADD COLUMN parent_key_id text REFERENCES backplane.api_keys (id) ON DELETE SET NULL;

-- Serves the cascade walk (children of a key).
CREATE INDEX api_keys_parent_idx ON backplane.api_keys (parent_key_id) WHERE parent_key_id IS NOT NULL;
