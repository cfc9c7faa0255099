import { hash } from "node:crypto";
import type { Config } from "../config/config.ts";
import type { Database } from "../db/database.ts";
import { prepared } from "../db/statement-names.ts";
import type { Logger } from "../observability/logger.ts";
import { asService, asServiceSql } from "../tenancy/with-tenant.ts";
import { parseApiKey } from "./api-key-format.ts";
import { keyDigester } from "./key-digest.ts";
import type { Principal } from "./principal.ts";

export type KeyFailure = "malformed" | "unknown" | "expired" | "revoked";
export type VerifyResult = { ok: true; principal: Principal } | { ok: false; reason: KeyFailure };

interface CachedKey {
  id: string;
  orgId: string | null;
  scopes: string[];
  /** Revoked when looked up (`revoked_at IS NOT NULL`, whoever's clock set it). */
  revoked: boolean;
  /** The key's own request limit; null: the deployment default. */
  rateLimit: { perSecond: number; burst: number } | null;
  /**
   * Local Date.now() at which the key expires, or null for never. The database works out how
   * long the key has left on its own clock; only that duration is carried over to this host's
   * clock, so a host whose clock is wrong neither accepts an expired key nor refuses a live one.
   */
  expiresAtLocal: number | null;
}

interface CacheEntry {
  key: CachedKey;
  fetchedAt: number;
}

export interface KeyVerifier {
  verify(presented: string): Promise<VerifyResult>;
  /**
   * Drops a key from this process's cache (after revoke/rotate here; other instances wait out the
   * TTL). A lookup that was already in flight is not cached when it lands, so it cannot bring the
   * pre-revoke row back.
   */
  forget(keyId: string): void;
}

const MAX_CACHE_ENTRIES = 10_000;
/** Digests of presented keys that matched no row; kept apart so they can never push out a real key. */
const MAX_UNKNOWN_ENTRIES = 10_000;
const LAST_USED_EVERY_MS = 60_000;

interface KeyRow {
  id: string;
  org_id: string | null;
  scopes: string[];
  revoked: boolean;
  /** Milliseconds the key has left by the database's clock (≤ 0: expired); null = no expiry. */
  expires_in_ms: number | null;
  rate_limit_per_second: number | null;
  rate_limit_burst: number | null;
}

// Revocation and expiry are judged by the database clock, the clock that wrote revoked_at and expires_at.
const lookupKey = prepared(`
SELECT id, org_id, scopes, revoked_at IS NOT NULL AS revoked, rate_limit_per_second, rate_limit_burst,
  (EXTRACT(EPOCH FROM expires_at - now()) * 1000)::float8 AS expires_in_ms
FROM backplane.api_keys WHERE digest = $1`);

/**
 * Verifies database keys: checksum first (no I/O), then one HMAC and one indexed lookup,
 * or a cache hit. The cache keeps a key for at most API_KEY_CACHE_TTL_SECONDS (≤ 30), which
 * bounds how long a key revoked on another instance keeps working here. Expiry is checked on
 * every request (against the deadline the database gave), so an expired key stops on time
 * even when cached.
 */
export function createKeyVerifier(deps: { db: Database; config: Config; log: Logger; cacheEntries?: number }): KeyVerifier {
  const maxKnown = deps.cacheEntries ?? MAX_CACHE_ENTRIES;
  const maxUnknown = deps.cacheEntries ?? MAX_UNKNOWN_ENTRIES;
  const digest = keyDigester(deps.config.BACKPLANE_SECRET);
  const ttlMs = deps.config.API_KEY_CACHE_TTL_SECONDS * 1000;
  // Two bounded caches. A flood of well-formed random keys (the checksum is public) fills only
  // `unknown`, so it cannot evict a real key from `known`; per-IP failure limits (requireAuth)
  // bound how many database lookups such a flood gets.
  const known = new Map<string, CacheEntry>();
  const unknown = new Map<string, number>(); // cache key → when the miss was read
  const lastTouched = new Map<string, number>();
  // One round trip per miss: the principal setting and the lookup go as one batch.
  const keyLookupSql = asServiceSql(deps.db, "key-verification");
  // Bumped by every forget(): a lookup that started under an older generation may hold a row
  // read before a revoke, so it answers its own request but is not cached.
  let generation = 0;

  const remember = <V>(map: Map<string, V>, max: number, cacheKey: string, value: V) => {
    map.delete(cacheKey); // re-insert at the end: Map order is the eviction order
    if (map.size >= max) map.delete(map.keys().next().value as string);
    map.set(cacheKey, value);
  };

  async function lookup(presented: string): Promise<CachedKey | null> {
    const started = Date.now();
    // The caches are keyed by a plain SHA-256 (about 1 µs, in this process's memory only); the
    // keyed HMAC (tens of µs) is paid only on a miss, to find the row.
    const cacheKey = hash("sha256", presented, "base64");
    const cached = known.get(cacheKey);
    if (cached && started - cached.fetchedAt < ttlMs) return cached.key;
    const missedAt = unknown.get(cacheKey);
    if (missedAt !== undefined && started - missedAt < ttlMs) return null;
    const lookupGeneration = generation;
    // Before the key is known there is no org yet: the lookup crosses tenants by nature.
    const rows = await keyLookupSql.query<KeyRow>(lookupKey, [digest(presented)]);
    const answered = Date.now();
    const row = rows[0];
    const key = row
      ? {
          id: row.id,
          orgId: row.org_id,
          scopes: row.scopes,
          revoked: row.revoked,
          rateLimit:
            row.rate_limit_per_second === null || row.rate_limit_burst === null
              ? null
              : { perSecond: row.rate_limit_per_second, burst: row.rate_limit_burst },
          // From when the query was sent: the earlier of the two, so the key never outlives its expiry here.
          expiresAtLocal: row.expires_in_ms === null ? null : started + Number(row.expires_in_ms),
        }
      : null;
    if (ttlMs > 0 && lookupGeneration === generation) {
      if (key) {
        unknown.delete(cacheKey);
        remember(known, maxKnown, cacheKey, { key, fetchedAt: answered });
      } else {
        remember(unknown, maxUnknown, cacheKey, answered);
      }
    }
    return key;
  }

  /** last_used_at moves at most once a minute per key (per instance, and the WHERE makes it so across instances). */
  async function touch(keyId: string): Promise<void> {
    const now = Date.now();
    if (now - (lastTouched.get(keyId) ?? 0) < LAST_USED_EVERY_MS) return;
    lastTouched.set(keyId, now);
    try {
      await asService(deps.db, "key-last-used", (tx) =>
        tx.query(
          "UPDATE backplane.api_keys SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')",
          [keyId],
        ),
      );
    } catch (error) {
      // Bookkeeping only: a failed write must not fail the request.
      deps.log.warn({ err: error, principal: keyId }, "could not record key use");
    }
  }

  return {
    async verify(presented) {
      if (!parseApiKey(presented)) return { ok: false, reason: "malformed" };
      const key = await lookup(presented);
      if (!key) return { ok: false, reason: "unknown" };
      if (key.revoked) return { ok: false, reason: "revoked" };
      if (key.expiresAtLocal !== null && key.expiresAtLocal <= Date.now()) return { ok: false, reason: "expired" };
      await touch(key.id);
      return { ok: true, principal: { kind: "api_key", id: key.id, orgId: key.orgId, scopes: key.scopes, rateLimit: key.rateLimit } };
    },
    forget(keyId) {
      generation++;
      for (const [cacheKey, entry] of known) if (entry.key.id === keyId) known.delete(cacheKey);
    },
  };
}

// One verifier (and cache) per database handle: per process in production, per test app in
// tests, with no module-level singleton shared between them.
const verifiers = new WeakMap<Database, KeyVerifier>();

export function keyVerifierFor(services: { db: Database; config: Config; log: Logger }): KeyVerifier {
  let verifier = verifiers.get(services.db);
  if (!verifier) {
    verifier = createKeyVerifier(services);
    verifiers.set(services.db, verifier);
  }
  return verifier;
}
