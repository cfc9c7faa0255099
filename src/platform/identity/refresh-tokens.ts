import type { Sql } from "../db/database.ts";
import { newId } from "../ids.ts";
import { SESSION_IDLE_SECONDS } from "./identity-settings.ts";
import { generateSessionToken, hashSessionToken, sessionTokenPattern } from "./session-token.ts";

/** A new refresh token in the session's family; it lives as long as the session could. */
export async function issueRefreshToken(
  tx: Sql,
  input: { sessionId: string; userId: string; now: Date; expiresAt: Date },
): Promise<string> {
  const token = `rt_${generateSessionToken()}`;
  await tx.query(
    "INSERT INTO backplane.refresh_tokens (id, session_id, user_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
    [newId("rtk"), input.sessionId, input.userId, hashSessionToken(token), input.now, input.expiresAt],
  );
  return token;
}

export type RotateResult =
  | { ok: true; sessionId: string; userId: string; refreshToken: string }
  | { ok: false; reason: "unknown" | "expired" | "revoked" | "reused"; sessionId?: string; userId?: string };

interface TokenRow {
  id: string;
  session_id: string;
  user_id: string;
  used: boolean;
  expired: boolean;
  revoked: boolean;
  session_over: boolean;
  absolute_expires_at: Date;
}

/**
 * Exchanges a refresh token for the next one (OAuth 2.0 Security BCP, refresh token rotation).
 * A token already exchanged is a replay, by an attacker or by the victim after an attacker:
 * the whole family (the session and every token in it) is revoked. Returns rather than throws,
 * so the revocation commits before the caller answers 401.
 */
export async function rotateRefreshToken(tx: Sql, input: { token: string; now: Date }): Promise<RotateResult> {
  const raw = input.token.startsWith("rt_") ? input.token.slice(3) : "";
  if (!sessionTokenPattern.test(raw)) return { ok: false, reason: "unknown" };
  const rows = await tx.query<TokenRow>(
    `SELECT r.id, r.session_id, r.user_id, r.used_at IS NOT NULL AS used, r.expires_at <= $2 AS expired,
       s.revoked_at IS NOT NULL AS revoked, s.absolute_expires_at <= $2 AS session_over, s.absolute_expires_at
     FROM backplane.refresh_tokens r JOIN backplane.sessions s ON s.id = r.session_id
     WHERE r.token_hash = $1 FOR UPDATE OF r, s`,
    [hashSessionToken(input.token), input.now],
  );
  const row = rows[0];
  if (!row) return { ok: false, reason: "unknown" };
  const family = { sessionId: row.session_id, userId: row.user_id };
  if (row.revoked) return { ok: false, reason: "revoked", ...family };
  if (row.used) {
    await tx.query("UPDATE backplane.sessions SET revoked_at = $2 WHERE id = $1", [row.session_id, input.now]);
    await tx.query("UPDATE backplane.refresh_tokens SET used_at = coalesce(used_at, $2) WHERE session_id = $1", [
      row.session_id,
      input.now,
    ]);
    return { ok: false, reason: "reused", ...family };
  }
  if (row.expired || row.session_over) return { ok: false, reason: "expired", ...family };

  await tx.query("UPDATE backplane.refresh_tokens SET used_at = $2 WHERE id = $1", [row.id, input.now]);
  const absolute = new Date(row.absolute_expires_at).getTime();
  const expiresAt = new Date(Math.min(input.now.getTime() + SESSION_IDLE_SECONDS * 1000, absolute));
  await tx.query("UPDATE backplane.sessions SET last_seen_at = $2, expires_at = $3 WHERE id = $1", [row.session_id, input.now, expiresAt]);
  const refreshToken = await issueRefreshToken(tx, { ...family, now: input.now, expiresAt });
  return { ok: true, ...family, refreshToken };
}
