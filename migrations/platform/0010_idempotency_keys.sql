-- Idempotency-Key records (src/platform/idempotency/). One row per (scope, method, route, key):
-- the scope names who sent it (`api_key:key_…`, `trigger:trg…`), so two callers never share keys.
-- Read and written only by the idempotency middleware in a service transaction; the app role
-- gets no privileges on it (it holds answers of every org).
CREATE TABLE backplane.idempotency_keys (
  scope text NOT NULL,
  method text NOT NULL,
  route text NOT NULL,
  key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
  -- SHA-256 (hex) of the request body: the same key with another body is a 422.
  fingerprint text NOT NULL,
  state text NOT NULL CHECK (state IN ('in_flight', 'completed')),
  -- While in flight: the claim lapses at this time (a crashed request), and a retry may take it over.
  locked_until timestamptz NOT NULL,
  -- Which claim holds the key: a request whose lease lapsed and was taken over cannot store its answer.
  claim_id uuid NOT NULL,
  response_status integer,
  response_headers jsonb,
  response_body bytea,
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  -- Retention (IDEMPOTENCY_TTL_HOURS): after this the key is free again and a cron deletes the row.
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (scope, method, route, key)
);

-- The cleanup cron deletes by expiry.
CREATE INDEX idempotency_keys_expires_idx ON backplane.idempotency_keys (expires_at);
