import type { Principal } from "../auth/principal.ts";
import type { Sql } from "../db/database.ts";
import { AppError } from "../http/errors.ts";

/**
 * The database key that is creating (or rotating) a key over HTTP. The CLI and the seed have
 * none: they are the operator at the shell.
 */
export interface Grantor {
  /** Recorded as the new key's `parent_key_id`, which `?cascade=true` revocation follows. */
  keyId: string;
  /**
   * true for org-bound keys: they may grant only scopes they hold and an expiry no later than
   * their own. false for platform-wide keys, the operator's credential: any scope, any expiry.
   */
  limited: boolean;
}

/** The grantor behind a request's principal; env keys (static, never `keys:manage`) are none. */
export function grantorOf(principal: Principal): Grantor | null {
  return principal.kind === "api_key" ? { keyId: principal.id, limited: principal.orgId !== null } : null;
}

interface GrantorRow {
  scopes: string[];
  expires_at: Date | string | null;
  revoked: boolean;
  expired: boolean | null;
}

/**
 * The limits a grant must stay within: the grantor's scopes and expiry. FOR SHARE holds the
 * grantor's row until the grant commits, so a revoke (with cascade) of the grantor that runs
 * meanwhile waits for it, and then finds the new key and revokes it too; a grantor revoked or
 * expired by then (database clock) grants nothing.
 */
export async function lockGrantor(tx: Sql, grantor: Grantor): Promise<{ scopes: string[]; expiresAt: Date | null }> {
  const [row] = await tx.query<GrantorRow>(
    `SELECT scopes, expires_at, revoked_at IS NOT NULL AS revoked, expires_at <= now() AS expired
     FROM backplane.api_keys WHERE id = $1 FOR SHARE`,
    [grantor.keyId],
  );
  if (!row || row.revoked || row.expired) throw new AppError("unauthorized", "The calling API key has been revoked or has expired");
  return { scopes: row.scopes, expiresAt: row.expires_at === null ? null : new Date(row.expires_at) };
}

/**
 * What a limited grantor may grant. Scopes beyond its own are refused (403). An expiry later
 * than its own is refused, or with `clamp` (rotation) shortened to it; no expiry asked for means
 * the grantor's own expiry (so a key made by a 1-hour key lives at most that hour).
 */
export function limitGrant(
  limits: { scopes: string[]; expiresAt: Date | null },
  scopes: readonly string[],
  expiresAt: Date | null,
  beyond: "refuse" | "clamp",
): Date | null {
  const notHeld = scopes.filter((scope) => !limits.scopes.includes(scope));
  if (notHeld.length > 0) {
    throw new AppError("forbidden", `An API key can grant only scopes it holds; this one lacks ${notHeld.join(", ")}`, {
      details: { scopesNotHeld: notHeld },
    });
  }
  if (limits.expiresAt === null) return expiresAt;
  if (expiresAt === null || expiresAt.getTime() > limits.expiresAt.getTime()) {
    if (expiresAt === null || beyond === "clamp") return limits.expiresAt;
    throw new AppError(
      "forbidden",
      `An API key cannot create a key that outlives it: expiresAt must be at most ${limits.expiresAt.toISOString()}`,
      {
        details: { maxExpiresAt: limits.expiresAt.toISOString() },
      },
    );
  }
  return expiresAt;
}
