import type { Sql } from "../db/database.ts";
import { DELETE_BATCH, deleteInBatches } from "../db/delete-in-batches.ts";
import type { PrivacyHandlers } from "../module.ts";

/**
 * The user's identity rows: the account, org memberships, sessions, refresh tokens and sign-in
 * codes sent to the address. Token hashes and code digests are credentials, never exported.
 */
export const identityPrivacy: PrivacyHandlers = {
  async export(tx, { userId, email }) {
    const [user] = await tx.query("SELECT id, email, role, created_at, updated_at FROM backplane.users WHERE id = $1", [userId]);
    return {
      user: user ?? null,
      orgMemberships: await tx.query("SELECT org_id, role, created_at FROM backplane.org_members WHERE user_id = $1 ORDER BY org_id", [
        userId,
      ]),
      sessions: await tx.query(
        `SELECT id, kind, created_at, last_seen_at, expires_at, absolute_expires_at, revoked_at, user_agent, host(client_ip) AS client_ip
         FROM backplane.sessions WHERE user_id = $1 ORDER BY created_at, id`,
        [userId],
      ),
      refreshTokens: await tx.query(
        "SELECT id, session_id, created_at, expires_at, used_at FROM backplane.refresh_tokens WHERE user_id = $1 ORDER BY created_at, id",
        [userId],
      ),
      externalIdentities: await tx.query(
        "SELECT provider, issuer, subject, created_at, last_seen_at FROM backplane.external_identities WHERE user_id = $1 ORDER BY created_at",
        [userId],
      ),
      signInCodes: await tx.query(
        "SELECT id, created_at, expires_at, consumed_at, voided_at, attempts FROM backplane.otp_challenges WHERE email = $1 ORDER BY created_at, id",
        [email],
      ),
    };
  },
  async erase(tx, { userId, email }) {
    const count = async (sql: string, value: string) => (await tx.query(sql, [value])).length;
    // Children first, although the foreign keys cascade: the counts say what went.
    return {
      refreshTokens: await count("DELETE FROM backplane.refresh_tokens WHERE user_id = $1 RETURNING 1", userId),
      sessions: await count("DELETE FROM backplane.sessions WHERE user_id = $1 RETURNING 1", userId),
      orgMemberships: await count("DELETE FROM backplane.org_members WHERE user_id = $1 RETURNING 1", userId),
      externalIdentities: await count("DELETE FROM backplane.external_identities WHERE user_id = $1 RETURNING 1", userId),
      signInCodes: await count("DELETE FROM backplane.otp_challenges WHERE email = $1 RETURNING 1", email),
      users: await count("DELETE FROM backplane.users WHERE id = $1 RETURNING 1", userId),
    };
  },
};

/**
 * Sessions a day past their end (idle or absolute expiry, or revoked: kept a day so a replayed
 * refresh token still meets its revoked family and is told so) and sign-in codes older than a
 * day. Expired rows are never accepted meanwhile; this only keeps the tables small.
 */
export function deleteEndedSessions(tx: Sql, now: Date, batch = DELETE_BATCH): Promise<number> {
  return deleteInBatches(
    tx,
    `DELETE FROM backplane.sessions WHERE id IN (
       SELECT id FROM backplane.sessions
       WHERE least(expires_at, absolute_expires_at, coalesce(revoked_at, 'infinity')) < $1::timestamptz - interval '1 day' LIMIT $2)
     RETURNING 1`,
    [now],
    batch,
  );
}

export function deleteOldSignInCodes(tx: Sql, now: Date, batch = DELETE_BATCH): Promise<number> {
  return deleteInBatches(
    tx,
    `DELETE FROM backplane.otp_challenges WHERE id IN (
       SELECT id FROM backplane.otp_challenges WHERE created_at < $1::timestamptz - interval '1 day' LIMIT $2)
     RETURNING 1`,
    [now],
    batch,
  );
}
