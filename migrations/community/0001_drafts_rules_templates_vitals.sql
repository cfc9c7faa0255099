-- Community Rule (seed 003): the create-flow draft of each user, published rules, curated
-- templates and web-vitals measurements. docs/community.md maps each to the seed.
CREATE SCHEMA IF NOT EXISTS community;
GRANT USAGE ON SCHEMA community TO backplane_app;

-- One JSON blob per user (seed §4 RuleDraft): no versions, no named drafts in v1.
CREATE TABLE community.drafts (
  user_id text PRIMARY KEY REFERENCES backplane.users (id) ON DELETE CASCADE,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- A published rule (seed §4 PublishedRule), owned by the user who published it. No edit or
-- delete in v1 (seed §6).
CREATE TABLE community.rules (
  id text PRIMARY KEY CHECK (id ~ '^rul_[0-9a-z]+$'),
  user_id text NOT NULL REFERENCES backplane.users (id) ON DELETE CASCADE,
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  summary text CHECK (length(summary) <= 1000),
  document jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- GET /api/rules: newest first, keyset (created_at, id).
CREATE INDEX rules_created_idx ON community.rules (created_at DESC, id DESC);
CREATE INDEX rules_user_idx ON community.rules (user_id);

-- Curated templates (seed §4 RuleTemplate): slug, category, ordering. Global, read-only content.
CREATE TABLE community.templates (
  slug text PRIMARY KEY CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  category text NOT NULL CHECK (length(category) BETWEEN 1 AND 100),
  description text NOT NULL CHECK (length(description) <= 1000),
  position integer NOT NULL,
  document jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX templates_position_idx ON community.templates (position, slug);

-- Browser measurements (Next.js reportWebVitals), anonymous; kept WEB_VITALS_RETENTION_DAYS.
CREATE TABLE community.web_vitals (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL CHECK (name IN ('CLS', 'FCP', 'INP', 'LCP', 'TTFB', 'FID')),
  value double precision NOT NULL CHECK (value >= 0),
  rating text CHECK (rating IN ('good', 'needs-improvement', 'poor')),
  metric_id text NOT NULL CHECK (length(metric_id) BETWEEN 1 AND 200),
  navigation_type text CHECK (length(navigation_type) <= 50),
  page text NOT NULL CHECK (length(page) BETWEEN 1 AND 2048),
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX web_vitals_recorded_idx ON community.web_vitals (recorded_at);
CREATE INDEX web_vitals_page_name_idx ON community.web_vitals (page, name, recorded_at);

-- Row-level security (platform pattern). A draft is its user's only. A user's context sees and
-- writes only its own rules; the public list (seed §6: GET /api/rules needs no sign-in) reads in
-- the service context, since it spans every user. No edit or delete in v1: no grant for them.
ALTER TABLE community.drafts ENABLE ROW LEVEL SECURITY;
ALTER TABLE community.drafts FORCE ROW LEVEL SECURITY;
CREATE POLICY drafts_select ON community.drafts FOR SELECT
  USING (user_id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY drafts_insert ON community.drafts FOR INSERT
  WITH CHECK (user_id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY drafts_update ON community.drafts FOR UPDATE
  USING (user_id = nullif(current_setting('app.user_id', true), ''))
  WITH CHECK (user_id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY drafts_delete ON community.drafts FOR DELETE
  USING (user_id = nullif(current_setting('app.user_id', true), ''));

ALTER TABLE community.rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE community.rules FORCE ROW LEVEL SECURITY;
CREATE POLICY rules_select ON community.rules FOR SELECT
  USING (user_id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY rules_insert ON community.rules FOR INSERT
  WITH CHECK (user_id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY rules_update ON community.rules FOR UPDATE
  USING (user_id = nullif(current_setting('app.user_id', true), ''))
  WITH CHECK (user_id = nullif(current_setting('app.user_id', true), ''));
CREATE POLICY rules_delete ON community.rules FOR DELETE
  USING (user_id = nullif(current_setting('app.user_id', true), ''));

GRANT SELECT, INSERT, UPDATE, DELETE ON community.drafts TO backplane_app;
GRANT SELECT, INSERT ON community.rules TO backplane_app;
GRANT SELECT ON community.templates TO backplane_app;
GRANT SELECT, INSERT ON community.web_vitals TO backplane_app;
