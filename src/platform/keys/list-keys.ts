import type { Sql } from "../db/database.ts";
import { type KeyInfo, type KeyRow, keyColumns, toKeyInfo } from "./key-record.ts";

/** Where a page ended: the last key's created_at to the microsecond, and its id. */
export interface KeyPosition {
  /** `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC). */
  at: string;
  id: string;
}

export interface ListKeysInput {
  /** undefined: every key (platform-wide callers); a string: that org's keys; null: only platform-wide keys. */
  orgId?: string | null;
  limit: number;
  after?: KeyPosition | null;
}

const exactCreatedAt = `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at_exact`;
const order = "ORDER BY created_at DESC, id DESC";
const afterClause = "($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::text))";
// Fixed statements (no values in the text); the org one matches api_keys_org_created_idx.
const statements = {
  all: `SELECT ${keyColumns}, ${exactCreatedAt} FROM backplane.api_keys WHERE $4::text IS NULL AND ${afterClause} ${order} LIMIT $1`,
  platform: `SELECT ${keyColumns}, ${exactCreatedAt} FROM backplane.api_keys WHERE org_id IS NULL AND $4::text IS NULL AND ${afterClause} ${order} LIMIT $1`,
  org: `SELECT ${keyColumns}, ${exactCreatedAt} FROM backplane.api_keys WHERE org_id = $4 AND ${afterClause} ${order} LIMIT $1`,
};

/**
 * One page of keys, newest first (ties by id), never with secrets. Keyset on created_at at the
 * column's full precision, so keys created within one millisecond are neither skipped nor repeated.
 */
export async function listKeys(db: Sql, input: ListKeysInput): Promise<{ keys: KeyInfo[]; next: KeyPosition | null }> {
  const statement = input.orgId === undefined ? statements.all : input.orgId === null ? statements.platform : statements.org;
  const rows = await db.query<KeyRow & { created_at_exact: string }>(statement, [
    input.limit + 1,
    input.after?.at ?? null,
    input.after?.id ?? null,
    typeof input.orgId === "string" ? input.orgId : null,
  ]);
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return { keys: page.map(toKeyInfo), next: rows.length > input.limit && last ? { at: last.created_at_exact, id: last.id } : null };
}

/** One key, or null when it does not exist or lies outside `withinOrg` (null = any org). */
export async function findKey(db: Sql, id: string, withinOrg: string | null, lock = false): Promise<KeyRow | null> {
  const rows = await db.query<KeyRow>(
    `SELECT ${keyColumns} FROM backplane.api_keys WHERE id = $1 AND ($2::text IS NULL OR org_id = $2)${lock ? " FOR UPDATE" : ""}`,
    [id, withinOrg],
  );
  return rows[0] ?? null;
}
