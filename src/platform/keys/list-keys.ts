import type { Sql } from "../db/database.ts";
import { type KeyInfo, type KeyRow, keyColumns, toKeyInfo } from "./key-record.ts";

/**
 * Keys newest first, never with secrets. `orgId` undefined lists every key (platform-wide
 * callers); a string lists that org's keys; null lists only platform-wide keys.
 */
export async function listKeys(db: Sql, filter: { orgId?: string | null } = {}): Promise<KeyInfo[]> {
  const rows =
    filter.orgId === undefined
      ? await db.query<KeyRow>(`SELECT ${keyColumns} FROM backplane.api_keys ORDER BY created_at DESC, id DESC`)
      : filter.orgId === null
        ? await db.query<KeyRow>(`SELECT ${keyColumns} FROM backplane.api_keys WHERE org_id IS NULL ORDER BY created_at DESC, id DESC`)
        : await db.query<KeyRow>(`SELECT ${keyColumns} FROM backplane.api_keys WHERE org_id = $1 ORDER BY created_at DESC, id DESC`, [
            filter.orgId,
          ]);
  return rows.map(toKeyInfo);
}

/** One key, or null when it does not exist or lies outside `withinOrg` (null = any org). */
export async function findKey(db: Sql, id: string, withinOrg: string | null, lock = false): Promise<KeyRow | null> {
  const rows = await db.query<KeyRow>(
    `SELECT ${keyColumns} FROM backplane.api_keys WHERE id = $1 AND ($2::text IS NULL OR org_id = $2)${lock ? " FOR UPDATE" : ""}`,
    [id, withinOrg],
  );
  return rows[0] ?? null;
}
