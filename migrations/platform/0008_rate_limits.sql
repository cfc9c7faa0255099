-- Counters of the platform rate limiter (rate-limiter-flexible's Postgres store, shared by every
-- instance). The library would create this table itself on first use; here it is created by a
-- migration in the library's exact shape, and the store is told `tableCreated: true`.
-- Keys are keyed digests of the limited subject (an IP, an email, a principal), never the subject.
CREATE TABLE backplane.rate_limits (
  key varchar(255) PRIMARY KEY,
  points integer NOT NULL DEFAULT 0,
  -- Unix milliseconds when the window ends (the library's own encoding).
  expire bigint
);
CREATE INDEX rate_limits_expire_idx ON backplane.rate_limits (expire);

-- Not tenant data, and only the platform (the connecting role) counts: no policy, no grant.
ALTER TABLE backplane.rate_limits ENABLE ROW LEVEL SECURITY;
ALTER TABLE backplane.rate_limits FORCE ROW LEVEL SECURITY;
