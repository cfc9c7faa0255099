import type { Sql } from "../../../platform/db/database.ts";
import type { ConnectionRow } from "./connections.ts";
import { tokenBinding } from "./connections.ts";
import type { StravaClient } from "./strava-client.ts";
import type { TokenKeyRing } from "./token-crypto.ts";
import { VendorError } from "./vendor-http.ts";

/** Refresh when the access token has less than this left (Strava's own advice: about an hour ahead is safe; 5 min is enough for one job). */
export const REFRESH_AHEAD_SECONDS = 5 * 60;

/**
 * A working access token for the connection, refreshed first when it expires within
 * REFRESH_AHEAD_SECONDS (or always, with `forceRefresh`: proof the athlete still authorizes us). The row is locked while refreshing, so two jobs for the same athlete
 * refresh once (Strava rotates the refresh token: a second refresh with the old one would fail).
 */
export async function stravaAccessToken(
  tx: Sql,
  ring: TokenKeyRing,
  client: StravaClient,
  connectionId: string,
  now: Date,
  options: { forceRefresh?: boolean } = {},
): Promise<string> {
  const [row] = await tx.query<ConnectionRow>(
    "SELECT * FROM training.provider_connections WHERE id = $1 AND status = 'active' FOR UPDATE",
    [connectionId],
  );
  if (!row?.access_token || !row.refresh_token) throw new VendorError("strava", 401, "the Strava connection is no longer active");
  const expiresAt = row.expires_at === null ? 0 : new Date(row.expires_at).getTime();
  if (!options.forceRefresh && expiresAt - now.getTime() > REFRESH_AHEAD_SECONDS * 1000)
    return ring.open(row.access_token, tokenBinding(row.id, "access"));
  const token = await client.refresh(ring.open(row.refresh_token, tokenBinding(row.id, "refresh")));
  await tx.query(
    "UPDATE training.provider_connections SET access_token = $2, refresh_token = $3, expires_at = $4, updated_at = now() WHERE id = $1",
    [
      row.id,
      ring.seal(token.access_token, tokenBinding(row.id, "access")),
      ring.seal(token.refresh_token, tokenBinding(row.id, "refresh")),
      new Date(token.expires_at * 1000),
    ],
  );
  return token.access_token;
}

/** Re-seals tokens still under an earlier key (after BACKPLANE_SECRET rotation); returns how many rows moved. */
export async function resealTokens(tx: Sql, ring: TokenKeyRing, batch = 500): Promise<number> {
  const rows = await tx.query<Pick<ConnectionRow, "id" | "access_token" | "refresh_token">>(
    `SELECT id, access_token, refresh_token FROM training.provider_connections
     WHERE (access_token IS NOT NULL AND split_part(access_token, '.', 2) <> $1)
        OR (refresh_token IS NOT NULL AND split_part(refresh_token, '.', 2) <> $1)
     LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [ring.currentId, batch],
  );
  for (const row of rows) {
    const reseal = (sealed: string | null, role: "access" | "refresh") =>
      sealed === null ? null : ring.seal(ring.open(sealed, tokenBinding(row.id, role)), tokenBinding(row.id, role));
    await tx.query("UPDATE training.provider_connections SET access_token = $2, refresh_token = $3, updated_at = now() WHERE id = $1", [
      row.id,
      reseal(row.access_token, "access"),
      reseal(row.refresh_token, "refresh"),
    ]);
  }
  return rows.length;
}
