import { createHmac, timingSafeEqual } from "node:crypto";
import { subkey } from "../../../platform/auth/key-digest.ts";
import type { Sql } from "../../../platform/db/database.ts";
import { AppError } from "../../../platform/http/errors.ts";
import { newId } from "../../../platform/ids.ts";
import type { StravaToken } from "./strava-client.ts";
import type { TokenKeyRing } from "./token-crypto.ts";

export type Provider = "strava" | "garmin";

export interface ConnectionRow {
  id: string;
  user_id: string;
  provider: Provider;
  external_user_id: string;
  access_token: string | null;
  refresh_token: string | null;
  expires_at: Date | string | null;
  user_token_digest: string | null;
  scope: string | null;
  status: "active" | "revoked";
  connected_at: Date | string;
  updated_at: Date | string;
}

/** What the API shows of a connection: never a token. */
export interface ConnectionInfo {
  provider: Provider;
  externalUserId: string;
  status: "active" | "revoked";
  scope: string | null;
  connectedAt: string;
  /** Strava: when the current access token expires (it is refreshed before that). */
  accessTokenExpiresAt: string | null;
}

export const toConnectionInfo = (row: ConnectionRow): ConnectionInfo => ({
  provider: row.provider,
  externalUserId: row.external_user_id,
  status: row.status,
  scope: row.scope,
  connectedAt: new Date(row.connected_at).toISOString(),
  accessTokenExpiresAt: row.expires_at === null ? null : new Date(row.expires_at).toISOString(),
});

/** Garmin's userAccessToken is only compared, never used: a keyed digest is all that is kept. */
export function garminTokenDigester(secret: string): (token: string) => string {
  const key = subkey(secret, "garmin-user-access-token");
  return (token) => createHmac("sha256", key).update(token).digest("hex");
}

export function sameHexDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

export const tokenBinding = (connectionId: string, role: "access" | "refresh") => `${connectionId}:${role}`;

/** The link of this vendor account, if one is live (webhook intake: service context). */
export async function findActiveConnection(tx: Sql, provider: Provider, externalUserId: string): Promise<ConnectionRow | null> {
  const [row] = await tx.query<ConnectionRow>(
    "SELECT * FROM training.provider_connections WHERE provider = $1 AND external_user_id = $2 AND status = 'active'",
    [provider, externalUserId],
  );
  return row ?? null;
}

export async function findActiveConnections(tx: Sql, provider: Provider, externalUserIds: string[]): Promise<Map<string, ConnectionRow>> {
  const rows = await tx.query<ConnectionRow>(
    "SELECT * FROM training.provider_connections WHERE provider = $1 AND external_user_id = ANY($2::text[]) AND status = 'active'",
    [provider, externalUserIds],
  );
  return new Map(rows.map((row) => [row.external_user_id, row]));
}

export async function listConnections(tx: Sql, userId: string): Promise<ConnectionInfo[]> {
  const rows = await tx.query<ConnectionRow>("SELECT * FROM training.provider_connections WHERE user_id = $1 ORDER BY provider", [userId]);
  return rows.map(toConnectionInfo);
}

/**
 * One live link per vendor account (a unique index). The user's own transaction cannot see
 * another user's link (row-level security), so the index is the check: its violation, raised by
 * the insert, becomes this 409 (whoever connected first keeps the account).
 */
export function heldByAnother(error: unknown, provider: Provider): AppError | null {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (code === "23505" && String(message).includes("provider_connections_external_idx")) {
      return new AppError("conflict", `This ${provider} account is already connected to another user`);
    }
    current = cause;
  }
  return null;
}

/** In the user's transaction after the code exchange: the link and its sealed tokens (replaced on reconnect). */
export async function saveStravaConnection(
  tx: Sql,
  ring: TokenKeyRing,
  userId: string,
  token: StravaToken & { athlete: { id: number } },
  scope: string | null,
): Promise<ConnectionInfo> {
  const athleteId = String(token.athlete.id);
  const [existing] = await tx.query<{ id: string }>(
    "SELECT id FROM training.provider_connections WHERE user_id = $1 AND provider = 'strava' FOR UPDATE",
    [userId],
  );
  const id = existing?.id ?? newId("pcn");
  const values = [
    id,
    userId,
    athleteId,
    ring.seal(token.access_token, tokenBinding(id, "access")),
    ring.seal(token.refresh_token, tokenBinding(id, "refresh")),
    new Date(token.expires_at * 1000),
    scope,
  ];
  const [row] = await tx.query<ConnectionRow>(
    `INSERT INTO training.provider_connections (id, user_id, provider, external_user_id, access_token, refresh_token, expires_at, scope)
     VALUES ($1, $2, 'strava', $3, $4, $5, $6, $7)
     ON CONFLICT (user_id, provider) DO UPDATE SET external_user_id = EXCLUDED.external_user_id, access_token = EXCLUDED.access_token,
       refresh_token = EXCLUDED.refresh_token, expires_at = EXCLUDED.expires_at, scope = EXCLUDED.scope, status = 'active',
       revoked_at = NULL, connected_at = now(), updated_at = now()
     RETURNING *`,
    values,
  );
  return toConnectionInfo(row as ConnectionRow);
}

/** Garmin token mapping: the user's Garmin userId and the userAccessToken its push notifications carry. */
export async function saveGarminConnection(
  tx: Sql,
  digest: (token: string) => string,
  userId: string,
  garminUserId: string,
  userAccessToken: string,
): Promise<ConnectionInfo> {
  const [row] = await tx.query<ConnectionRow>(
    `INSERT INTO training.provider_connections (id, user_id, provider, external_user_id, user_token_digest)
     VALUES ($1, $2, 'garmin', $3, $4)
     ON CONFLICT (user_id, provider) DO UPDATE SET external_user_id = EXCLUDED.external_user_id,
       user_token_digest = EXCLUDED.user_token_digest, status = 'active', revoked_at = NULL, connected_at = now(), updated_at = now()
     RETURNING *`,
    [newId("pcn"), userId, garminUserId, digest(userAccessToken)],
  );
  return toConnectionInfo(row as ConnectionRow);
}

/** Disconnect (by the user, or the vendor's deauthorization): tokens are dropped, the row stays as a record. */
export async function revokeConnection(tx: Sql, where: { userId: string; provider: Provider } | { id: string }): Promise<boolean> {
  const rows =
    "id" in where
      ? await tx.query(
          `UPDATE training.provider_connections SET status = 'revoked', revoked_at = now(), updated_at = now(), access_token = NULL,
             refresh_token = NULL, expires_at = NULL, user_token_digest = NULL WHERE id = $1 AND status = 'active' RETURNING 1`,
          [where.id],
        )
      : await tx.query(
          `UPDATE training.provider_connections SET status = 'revoked', revoked_at = now(), updated_at = now(), access_token = NULL,
             refresh_token = NULL, expires_at = NULL, user_token_digest = NULL WHERE user_id = $1 AND provider = $2 AND status = 'active' RETURNING 1`,
          [where.userId, where.provider],
        );
  return rows.length > 0;
}
