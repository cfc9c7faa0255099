import type { Sql } from "../db/database.ts";
import { newId } from "../ids.ts";
import { SESSION_ABSOLUTE_SECONDS, SESSION_IDLE_SECONDS, SESSION_TOUCH_SECONDS } from "./identity-settings.ts";
import { generateSessionToken, hashSessionToken, sessionTokenPattern } from "./session-token.ts";
import { toUser, type User, type UserRow, userColumns } from "./users.ts";

export interface SessionFacts {
  id: string;
  userId: string;
  kind: "cookie" | "token";
  expiresAt: Date;
}

export interface StartedSession extends SessionFacts {
  /** The cookie value (kind `cookie` only); never stored. */
  token: string | null;
}

export interface SessionClient {
  userAgent: string | null;
  clientIp: string | null;
}

/** A new session for a user who just proved their email. */
export async function startSession(
  tx: Sql,
  input: { userId: string; kind: "cookie" | "token"; now: Date; client: SessionClient },
): Promise<StartedSession> {
  const id = newId("sess");
  const token = input.kind === "cookie" ? generateSessionToken() : null;
  const expiresAt = new Date(input.now.getTime() + SESSION_IDLE_SECONDS * 1000);
  const absoluteExpiresAt = new Date(input.now.getTime() + SESSION_ABSOLUTE_SECONDS * 1000);
  await tx.query(
    `INSERT INTO backplane.sessions (id, user_id, kind, token_hash, created_at, last_seen_at, expires_at, absolute_expires_at, user_agent, client_ip)
     VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9)`,
    [
      id,
      input.userId,
      input.kind,
      token === null ? null : hashSessionToken(token),
      input.now,
      expiresAt,
      absoluteExpiresAt,
      input.client.userAgent?.slice(0, 512) ?? null,
      input.client.clientIp,
    ],
  );
  return { id, userId: input.userId, kind: input.kind, expiresAt, token };
}

export interface LiveSession {
  session: SessionFacts;
  user: User;
  orgIds: string[];
  /** True when this lookup slid the expiry forward (the cookie should be sent again). */
  touched: boolean;
}

interface LookupRow extends UserRow {
  session_id: string;
  user_id: string;
  kind: "cookie" | "token";
  expires_at: Date;
  absolute_expires_at: Date;
  stale: boolean;
  org_ids: string[] | null;
}

const userColumnsOfU = userColumns
  .split(", ")
  .map((column) => `u.${column}`)
  .join(", ");

/**
 * The live session behind a cookie token (`by: "token"`) or a session id from an access token
 * (`by: "id"`), with its user. Revoked, idle-expired and absolutely expired sessions are not
 * found. Slides the idle expiry at most once an hour (one UPDATE, never past the absolute limit).
 */
export async function findLiveSession(tx: Sql, lookup: { by: "token" | "id"; value: string; now: Date }): Promise<LiveSession | null> {
  if (lookup.by === "token" && !sessionTokenPattern.test(lookup.value)) return null;
  const rows = await tx.query<LookupRow>(
    `SELECT s.id AS session_id, s.user_id, s.kind, s.expires_at, s.absolute_expires_at,
       s.last_seen_at <= $2::timestamptz - make_interval(secs => $3) AS stale, ${userColumnsOfU},
       ARRAY(SELECT m.org_id FROM backplane.org_members m WHERE m.user_id = s.user_id ORDER BY m.org_id) AS org_ids
     FROM backplane.sessions s JOIN backplane.users u ON u.id = s.user_id
     WHERE ${lookup.by === "token" ? "s.token_hash" : "s.id"} = $1
       AND s.revoked_at IS NULL AND s.expires_at > $2 AND s.absolute_expires_at > $2`,
    [lookup.by === "token" ? hashSessionToken(lookup.value) : lookup.value, lookup.now, SESSION_TOUCH_SECONDS],
  );
  const row = rows[0];
  if (!row) return null;
  let expiresAt = new Date(row.expires_at);
  if (row.stale) {
    const slid = Math.min(lookup.now.getTime() + SESSION_IDLE_SECONDS * 1000, new Date(row.absolute_expires_at).getTime());
    expiresAt = new Date(slid);
    await tx.query("UPDATE backplane.sessions SET last_seen_at = $2, expires_at = $3 WHERE id = $1", [
      row.session_id,
      lookup.now,
      expiresAt,
    ]);
  }
  return {
    session: { id: row.session_id, userId: row.user_id, kind: row.kind, expiresAt },
    user: toUser(row),
    orgIds: row.org_ids ?? [],
    touched: row.stale,
  };
}

/** Ends one session (logout) or every session of its user (`all`); returns how many ended. */
export async function endSessions(tx: Sql, input: { sessionId: string; userId: string; all: boolean }): Promise<number> {
  const rows = input.all
    ? await tx.query<{ id: string }>("DELETE FROM backplane.sessions WHERE user_id = $1 RETURNING id", [input.userId])
    : await tx.query<{ id: string }>("DELETE FROM backplane.sessions WHERE id = $1 AND user_id = $2 RETURNING id", [
        input.sessionId,
        input.userId,
      ]);
  return rows.length;
}
