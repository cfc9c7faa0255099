-- Identity: users, org membership, email sign-in codes, sessions (browser cookie and mobile
-- token families) and refresh tokens. docs/identity.md says how they are used.
--
-- Row-level security follows the platform pattern (migrations/platform/0005_*): user-owned rows
-- are visible in a tenant transaction whose app.user_id is their user. Authentication itself
-- (finding the session behind a cookie, checking a code) happens before anyone is known and runs
-- in the service context (`asService`), as API key verification does.

CREATE TABLE backplane.users (
  id text PRIMARY KEY CHECK (id ~ '^usr_[0-9a-z]+$'),
  -- Stored lower-cased, so the UNIQUE constraint is the case-insensitive one.
  email text NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 320),
  role text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Optional: a user may belong to orgs, which makes the user principal org-bound like a key.
CREATE TABLE backplane.org_members (
  org_id text NOT NULL REFERENCES backplane.orgs (id) ON DELETE CASCADE,
  user_id text NOT NULL REFERENCES backplane.users (id) ON DELETE CASCADE,
  role text NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'admin', 'member')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, user_id)
);
CREATE INDEX org_members_user_idx ON backplane.org_members (user_id);

-- One row per code sent. Only a keyed digest of the code is kept; the newest row per email is
-- the live one (a new request voids the earlier ones).
CREATE TABLE backplane.otp_challenges (
  id text PRIMARY KEY CHECK (id ~ '^otp_[0-9a-z]+$'),
  email text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 320),
  -- HMAC-SHA-256 (hex) of "<id>:<code>" under a key derived from BACKPLANE_SECRET.
  code_digest text NOT NULL CHECK (code_digest ~ '^[0-9a-f]{64}$'),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  consumed_at timestamptz,
  voided_at timestamptz
);
CREATE INDEX otp_challenges_email_idx ON backplane.otp_challenges (email, created_at DESC);
CREATE INDEX otp_challenges_created_idx ON backplane.otp_challenges (created_at);

-- A signed-in device. Browser sessions are found by the SHA-256 of their cookie token; mobile
-- sessions (kind 'token') have no cookie and are the family of their refresh tokens.
CREATE TABLE backplane.sessions (
  id text PRIMARY KEY CHECK (id ~ '^sess_[0-9a-z]+$'),
  user_id text NOT NULL REFERENCES backplane.users (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('cookie', 'token')),
  token_hash text UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Refreshed at most once an hour; expires_at slides with it, never past absolute_expires_at.
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  absolute_expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  user_agent text CHECK (length(user_agent) <= 512),
  client_ip inet,
  CHECK ((kind = 'cookie') = (token_hash IS NOT NULL))
);
CREATE INDEX sessions_user_idx ON backplane.sessions (user_id);
CREATE INDEX sessions_expires_idx ON backplane.sessions (expires_at);

-- Opaque refresh tokens, stored as SHA-256, rotated on every use. A token presented after it was
-- used (used_at set) is a replay: the whole session (its family) is revoked.
CREATE TABLE backplane.refresh_tokens (
  id text PRIMARY KEY CHECK (id ~ '^rtk_[0-9a-z]+$'),
  session_id text NOT NULL REFERENCES backplane.sessions (id) ON DELETE CASCADE,
  user_id text NOT NULL REFERENCES backplane.users (id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX refresh_tokens_session_idx ON backplane.refresh_tokens (session_id);

-- Row-level security, a policy per command (what the app role may actually do is still limited
-- by the GRANTs below). A user sees their own row, sessions and refresh tokens; memberships are
-- the org's (an org context manages them), and a user also sees their own. Sign-in challenges have no policy at all: only the service
-- context reads them, and the app role has no grant on them.
ALTER TABLE backplane.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE backplane.users FORCE ROW LEVEL SECURITY;
CREATE POLICY users_select ON backplane.users FOR SELECT
  USING (id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY users_insert ON backplane.users FOR INSERT
  WITH CHECK (id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY users_update ON backplane.users FOR UPDATE
  USING (id = nullif(current_setting('app.user_id', true), ''))
  WITH CHECK (id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY users_delete ON backplane.users FOR DELETE
  USING (id = nullif(current_setting('app.user_id', true), ''));

ALTER TABLE backplane.org_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE backplane.org_members FORCE ROW LEVEL SECURITY;
CREATE POLICY org_members_select ON backplane.org_members FOR SELECT
  USING (user_id = nullif(current_setting('app.user_id', true), '')
    OR org_id = nullif(current_setting('app.org_id', true), ''));
CREATE POLICY org_members_insert ON backplane.org_members FOR INSERT
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), ''));
CREATE POLICY org_members_update ON backplane.org_members FOR UPDATE
  USING (org_id = nullif(current_setting('app.org_id', true), ''))
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), ''));
CREATE POLICY org_members_delete ON backplane.org_members FOR DELETE
  USING (org_id = nullif(current_setting('app.org_id', true), ''));

ALTER TABLE backplane.otp_challenges ENABLE ROW LEVEL SECURITY;
ALTER TABLE backplane.otp_challenges FORCE ROW LEVEL SECURITY;

ALTER TABLE backplane.sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE backplane.sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY sessions_select ON backplane.sessions FOR SELECT
  USING (user_id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY sessions_insert ON backplane.sessions FOR INSERT
  WITH CHECK (user_id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY sessions_update ON backplane.sessions FOR UPDATE
  USING (user_id = nullif(current_setting('app.user_id', true), ''))
  WITH CHECK (user_id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY sessions_delete ON backplane.sessions FOR DELETE
  USING (user_id = nullif(current_setting('app.user_id', true), ''));

ALTER TABLE backplane.refresh_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE backplane.refresh_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY refresh_tokens_select ON backplane.refresh_tokens FOR SELECT
  USING (user_id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY refresh_tokens_insert ON backplane.refresh_tokens FOR INSERT
  WITH CHECK (user_id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY refresh_tokens_update ON backplane.refresh_tokens FOR UPDATE
  USING (user_id = nullif(current_setting('app.user_id', true), ''))
  WITH CHECK (user_id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY refresh_tokens_delete ON backplane.refresh_tokens FOR DELETE
  USING (user_id = nullif(current_setting('app.user_id', true), ''));

GRANT SELECT, UPDATE ON backplane.users TO backplane_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON backplane.org_members TO backplane_app;
GRANT SELECT, UPDATE, DELETE ON backplane.sessions TO backplane_app;
GRANT SELECT, DELETE ON backplane.refresh_tokens TO backplane_app;
