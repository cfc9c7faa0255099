import type { KeyEnvironment } from "../auth/api-key-format.ts";

/** A key as listed: everything but the secret, which only exists at creation. */
export interface KeyInfo {
  id: string;
  name: string;
  prefix: string;
  orgId: string | null;
  scopes: string[];
  environment: KeyEnvironment;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  replacedBy: string | null;
  /** The key that created this one over HTTP; null for keys made by the CLI or the seed. */
  parentKeyId: string | null;
  /** Its own request limit; null: the deployment default (API_KEY_RATE_LIMIT). */
  rateLimit: { perSecond: number; burst: number } | null;
}

export interface KeyRow {
  id: string;
  name: string;
  prefix: string;
  org_id: string | null;
  scopes: string[];
  environment: KeyEnvironment;
  created_by: string;
  created_at: Date | string;
  expires_at: Date | string | null;
  revoked_at: Date | string | null;
  last_used_at: Date | string | null;
  replaced_by: string | null;
  parent_key_id: string | null;
  rate_limit_per_second: number | null;
  rate_limit_burst: number | null;
}

export const keyColumns =
  "id, name, prefix, org_id, scopes, environment, created_by, created_at, expires_at, revoked_at, last_used_at, replaced_by, parent_key_id, rate_limit_per_second, rate_limit_burst";

// pg and PGlite both return Date for timestamptz today; accepting strings keeps the mapper
// right if a driver option ever changes that.
const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

export function toKeyInfo(row: KeyRow): KeyInfo {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    orgId: row.org_id,
    scopes: [...row.scopes],
    environment: row.environment,
    createdBy: row.created_by,
    createdAt: iso(row.created_at) as string,
    expiresAt: iso(row.expires_at),
    revokedAt: iso(row.revoked_at),
    lastUsedAt: iso(row.last_used_at),
    replacedBy: row.replaced_by,
    parentKeyId: row.parent_key_id,
    rateLimit:
      row.rate_limit_per_second === null || row.rate_limit_burst === null
        ? null
        : { perSecond: row.rate_limit_per_second, burst: row.rate_limit_burst },
  };
}

/** What a caller sees once: the key and its metadata. */
export interface CreatedKey extends KeyInfo {
  key: string;
}
