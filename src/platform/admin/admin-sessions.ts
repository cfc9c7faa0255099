import { createHmac, timingSafeEqual } from "node:crypto";
import { subkey } from "../auth/key-digest.ts";
import type { Sql } from "../db/database.ts";
import { generateSessionToken, hashSessionToken, sessionTokenPattern } from "../identity/session-token.ts";
import { newId } from "../ids.ts";

/** The scope an API key needs to sign in to the console; only platform-wide keys may use it. */
export const ADMIN_SCOPE = "admin:console";
/** A console session lasts an hour from sign-in (no sliding): short, since it can do anything. */
export const ADMIN_SESSION_SECONDS = 3600;

export interface AdminSession {
  id: string;
  keyId: string;
  /** The key's scopes as of this request. */
  scopes: string[];
  expiresAt: Date;
}

interface SessionRow {
  id: string;
  key_id: string;
  scopes: string[];
  expires_at: Date | string;
}

/** A new session for a key the caller has verified (live, platform-wide, with ADMIN_SCOPE). */
export async function startAdminSession(
  tx: Sql,
  input: { keyId: string; scopes: readonly string[]; clientIp: string | null; userAgent: string | null },
): Promise<{ session: AdminSession; token: string }> {
  const token = generateSessionToken();
  const [row] = (await tx.query<{ id: string; expires_at: Date | string }>(
    `INSERT INTO backplane.admin_sessions (id, key_id, token_hash, expires_at, client_ip, user_agent)
     VALUES ($1, $2, $3, now() + make_interval(secs => $4), $5, $6) RETURNING id, expires_at`,
    [newId("adm"), input.keyId, hashSessionToken(token), ADMIN_SESSION_SECONDS, input.clientIp, input.userAgent?.slice(0, 512) ?? null],
  )) as [{ id: string; expires_at: Date | string }];
  return { session: { id: row.id, keyId: input.keyId, scopes: [...input.scopes], expiresAt: new Date(row.expires_at) }, token };
}

/**
 * The live session behind a cookie token: not ended, not expired, and its key still live,
 * platform-wide and holding ADMIN_SCOPE (all by the database clock), so revoking the key or
 * removing the scope ends the session at its next request. One indexed lookup.
 */
export async function findAdminSession(tx: Sql, token: string): Promise<AdminSession | null> {
  if (!sessionTokenPattern.test(token)) return null;
  const [row] = await tx.query<SessionRow>(
    `SELECT s.id, s.key_id, k.scopes, s.expires_at
     FROM backplane.admin_sessions s JOIN backplane.api_keys k ON k.id = s.key_id
     WHERE s.token_hash = $1 AND s.ended_at IS NULL AND s.expires_at > now()
       AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now()) AND k.org_id IS NULL AND $2 = ANY (k.scopes)`,
    [hashSessionToken(token), ADMIN_SCOPE],
  );
  return row ? toSession(row) : null;
}

/** Signing out: the session stops working at once, wherever its cookie is. */
export async function endAdminSession(tx: Sql, id: string): Promise<void> {
  await tx.query("UPDATE backplane.admin_sessions SET ended_at = now() WHERE id = $1 AND ended_at IS NULL", [id]);
}

/** Retention: sessions that ended or expired more than a day ago. */
export async function deleteOldAdminSessions(tx: Sql, now: Date): Promise<number> {
  const rows = await tx.query(
    `DELETE FROM backplane.admin_sessions WHERE least(expires_at, coalesce(ended_at, 'infinity')) < $1::timestamptz - interval '1 day' RETURNING 1`,
    [now],
  );
  return rows.length;
}

function toSession(row: SessionRow): AdminSession {
  return { id: row.id, keyId: row.key_id, scopes: [...row.scopes], expiresAt: new Date(row.expires_at) };
}

const csrfKeys = new Map<string, ReturnType<typeof subkey>>();

/**
 * The session's CSRF token, put in a hidden field of every form and checked on every POST. A MAC
 * of the session id under a key derived from BACKPLANE_SECRET: per session, never stored, and no
 * other site can compute it (SameSite=Strict and the same-origin check are the other two walls).
 */
export function csrfTokenFor(secret: string, sessionId: string): string {
  let key = csrfKeys.get(secret);
  if (!key) {
    key = subkey(secret, "admin-csrf");
    csrfKeys.set(secret, key);
  }
  return createHmac("sha256", key).update(sessionId).digest("base64url");
}

export function isCsrfTokenValid(secret: string, sessionId: string, presented: unknown): boolean {
  if (typeof presented !== "string" || presented.length === 0 || presented.length > 100) return false;
  const expected = Buffer.from(csrfTokenFor(secret, sessionId));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
