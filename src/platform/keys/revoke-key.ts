import type { Sql } from "../db/database.ts";
import { AppError } from "../http/errors.ts";
import { type KeyInfo, type KeyRow, keyColumns, toKeyInfo } from "./key-record.ts";

/**
 * Revokes a key now. Idempotent: revoking a revoked key returns it unchanged. A key outside
 * `withinOrg` is reported as not found, like one that does not exist. Other instances stop
 * accepting it when their cache entry lapses (API_KEY_CACHE_TTL_SECONDS, at most 30 s).
 */
export async function revokeKey(db: Sql, input: { id: string; withinOrg: string | null }): Promise<KeyInfo> {
  const rows = await db.query<KeyRow>(
    `UPDATE backplane.api_keys SET revoked_at = coalesce(revoked_at, now())
     WHERE id = $1 AND ($2::text IS NULL OR org_id = $2)
     RETURNING ${keyColumns}`,
    [input.id, input.withinOrg],
  );
  const row = rows[0];
  if (!row) throw new AppError("not_found", `No key ${input.id}`);
  return toKeyInfo(row);
}
