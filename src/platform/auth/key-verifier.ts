import { hash } from "node:crypto";
import type { Config } from "../config/config.ts";
import type { Database } from "../db/database.ts";
import type { Logger } from "../observability/logger.ts";
import { parseApiKey } from "./api-key-format.ts";
import { keyDigester } from "./key-digest.ts";
import type { Principal } from "./principal.ts";

export type KeyFailure = "malformed" | "unknown" | "expired" | "revoked";
export type VerifyResult = { ok: true; principal: Principal } | { ok: false; reason: KeyFailure };

interface CachedKey {
  id: string;
  orgId: string | null;
  scopes: string[];
  expiresAt: number | null;
  revokedAt: number | null;
}

interface CacheEntry {
  key: CachedKey | null; // null: no such key (cached too, so a retry storm with a dead key stays cheap)
  fetchedAt: number;
}

export interface KeyVerifier {
  verify(presented: string): Promise<VerifyResult>;
  /** Drops a key from this process's cache (after revoke/rotate here; other instances wait out the TTL). */
  forget(keyId: string): void;
}

const MAX_CACHE_ENTRIES = 10_000;
const LAST_USED_EVERY_MS = 60_000;

interface KeyRow {
  id: string;
  org_id: string | null;
  scopes: string[];
  expires_at: Date | string | null;
  revoked_at: Date | string | null;
}

const toMillis = (value: Date | string | null): number | null => (value === null ? null : new Date(value).getTime());

/**
 * Verifies database keys: checksum first (no I/O), then one HMAC and one indexed lookup,
 * or a cache hit. The cache keeps a key for at most API_KEY_CACHE_TTL_SECONDS (≤ 30), which
 * bounds how long a key revoked on another instance keeps working here. Expiry is checked
 * against the clock on every request, so an expired key stops on time even when cached.
 */
export function createKeyVerifier(deps: { db: Database; config: Config; log: Logger }): KeyVerifier {
  const digest = keyDigester(deps.config.BACKPLANE_SECRET);
  const ttlMs = deps.config.API_KEY_CACHE_TTL_SECONDS * 1000;
  const cache = new Map<string, CacheEntry>();
  const lastTouched = new Map<string, number>();

  async function lookup(presented: string): Promise<CachedKey | null> {
    const now = Date.now();
    // The cache is keyed by a plain SHA-256 (about 1 µs, in this process's memory only); the
    // keyed HMAC (tens of µs) is paid only on a miss, to find the row.
    const cacheKey = hash("sha256", presented, "base64");
    const cached = cache.get(cacheKey);
    if (cached && now - cached.fetchedAt < ttlMs) return cached.key;
    const rows = await deps.db.query<KeyRow>(
      "SELECT id, org_id, scopes, expires_at, revoked_at FROM backplane.api_keys WHERE digest = $1",
      [digest(presented)],
    );
    const row = rows[0];
    const key = row
      ? { id: row.id, orgId: row.org_id, scopes: row.scopes, expiresAt: toMillis(row.expires_at), revokedAt: toMillis(row.revoked_at) }
      : null;
    if (ttlMs > 0) {
      cache.delete(cacheKey); // re-insert at the end: Map order is the eviction order
      if (cache.size >= MAX_CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
      cache.set(cacheKey, { key, fetchedAt: now });
    }
    return key;
  }

  /** last_used_at moves at most once a minute per key (per instance, and the WHERE makes it so across instances). */
  async function touch(keyId: string): Promise<void> {
    const now = Date.now();
    if (now - (lastTouched.get(keyId) ?? 0) < LAST_USED_EVERY_MS) return;
    lastTouched.set(keyId, now);
    try {
      await deps.db.query(
        "UPDATE backplane.api_keys SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')",
        [keyId],
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
      const now = Date.now();
      if (!key) return { ok: false, reason: "unknown" };
      if (key.revokedAt !== null && key.revokedAt <= now) return { ok: false, reason: "revoked" };
      if (key.expiresAt !== null && key.expiresAt <= now) return { ok: false, reason: "expired" };
      await touch(key.id);
      return { ok: true, principal: { kind: "api_key", id: key.id, orgId: key.orgId, scopes: key.scopes } };
    },
    forget(keyId) {
      for (const [cacheKey, entry] of cache) if (entry.key?.id === keyId) cache.delete(cacheKey);
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
