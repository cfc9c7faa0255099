-- Admin console sessions (/admin): an admin API key (platform-wide, scope admin:console) exchanged
-- for a cookie. Found by the SHA-256 of the cookie token; the key itself is never stored here.
-- Each request also checks the key is still live and still holds the scope, so revoking the key
-- ends its sessions; signing out sets ended_at.
CREATE TABLE backplane.admin_sessions (
  id text PRIMARY KEY CHECK (id ~ '^adm_[0-9a-z]+$'),
  key_id text NOT NULL REFERENCES backplane.api_keys (id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  ended_at timestamptz,
  client_ip inet,
  user_agent text CHECK (length(user_agent) <= 512)
);
CREATE INDEX admin_sessions_key_idx ON backplane.admin_sessions (key_id);
CREATE INDEX admin_sessions_expires_idx ON backplane.admin_sessions (expires_at);

-- Operator bookkeeping, read and written only by the platform (the connecting role): no policy, no grant.
ALTER TABLE backplane.admin_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE backplane.admin_sessions FORCE ROW LEVEL SECURITY;
