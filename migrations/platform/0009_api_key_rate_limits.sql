-- A per-key request limit (requests per second, with a burst), set when a key is created or
-- updated. NULL: the deployment default (API_KEY_RATE_LIMIT), which is off unless set.
ALTER TABLE backplane.api_keys
  ADD COLUMN rate_limit_per_second integer CHECK (rate_limit_per_second BETWEEN 1 AND 100000),
  ADD COLUMN rate_limit_burst integer CHECK (rate_limit_burst BETWEEN 1 AND 1000000),
  ADD CONSTRAINT api_keys_rate_limit_pair CHECK ((rate_limit_per_second IS NULL) = (rate_limit_burst IS NULL));
