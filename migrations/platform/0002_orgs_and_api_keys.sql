-- Orgs (tenants) and database-managed API keys, shared by every module.

CREATE TABLE backplane.orgs (
  id text PRIMARY KEY CHECK (id ~ '^org_[0-9a-z]+$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE backplane.api_keys (
  id text PRIMARY KEY CHECK (id ~ '^key_[0-9a-z]+$'),
  -- NULL: a platform-wide key, not bound to one org.
  org_id text REFERENCES backplane.orgs (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  -- HMAC-SHA-256 of the full key under a key derived from BACKPLANE_SECRET (hex). The key
  -- itself is never stored. UNIQUE gives the one index the request path looks keys up by.
  digest text NOT NULL UNIQUE CHECK (digest ~ '^[0-9a-f]{64}$'),
  -- e.g. "bp_live_AbCd": enough for a human to tell keys apart, useless to an attacker.
  prefix text NOT NULL,
  environment text NOT NULL CHECK (environment IN ('live', 'test')),
  scopes text[] NOT NULL,
  expires_at timestamptz,
  revoked_at timestamptz,
  -- Who made it: "cli", or the id of the key that called POST /api/v1/keys.
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Refreshed at most once a minute per key, not on every request.
  last_used_at timestamptz,
  -- Set when the key was rotated: its successor. The old key's expires_at ends the overlap.
  replaced_by text REFERENCES backplane.api_keys (id)
);

-- Serves `keys list [--org]`, newest first.
CREATE INDEX api_keys_org_created_idx ON backplane.api_keys (org_id, created_at DESC);
