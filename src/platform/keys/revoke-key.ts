import { type AuditSource, recordAuditEvent } from "../audit/record-audit-event.ts";
import type { Sql } from "../db/database.ts";
import { AppError } from "../http/errors.ts";
import { type KeyInfo, type KeyRow, keyColumns, toKeyInfo } from "./key-record.ts";

export interface RevokeKeyInput {
  id: string;
  /** null: any org (platform-wide callers, the CLI). */
  withinOrg: string | null;
  /** Also revoke every key this key created, and the keys those created, and so on. */
  cascade?: boolean;
  /** Who revokes: a `key.revoked` audit row is written in the transaction when anything changed. */
  audit?: AuditSource;
}

export interface RevokeKeyResult {
  key: KeyInfo;
  /** Keys revoked by the cascade (not counting the key itself, nor keys already revoked). */
  revokedDescendants: number;
  /** Every key id this call revoked or found revoked, for the caller to drop from its verifier cache. */
  ids: string[];
}

/**
 * The keys a cascade reaches: children (parent_key_id), their children, and so on. A key's
 * earlier versions (rotated into it: replaced_by) count as the same credential, so keys they
 * created are reached too. UNION, not UNION ALL: each key once.
 */
const revokeDescendants = `
WITH RECURSIVE reached AS (
  SELECT id FROM backplane.api_keys WHERE id = $1
  UNION
  SELECT k.id FROM backplane.api_keys k JOIN reached r ON k.parent_key_id = r.id OR k.replaced_by = r.id
)
UPDATE backplane.api_keys SET revoked_at = now()
WHERE id IN (SELECT id FROM reached) AND id <> $1 AND revoked_at IS NULL AND ($2::text IS NULL OR org_id = $2)
RETURNING id`;

/**
 * Revokes a key now; the one place keys are revoked (HTTP, CLI). Idempotent: revoking a revoked
 * key returns it unchanged (a cascade still reaches descendants left active). A key outside
 * `withinOrg` is reported as not found, like one that does not exist. Pass a transaction when
 * cascading: the key is revoked first (its row lock makes a concurrent creation by it finish),
 * then the descendants, in a second statement that sees that creation.
 * Other instances stop accepting revoked keys when their cache entry lapses
 * (API_KEY_CACHE_TTL_SECONDS, at most 30 s); call `forget` for each id after commit on this one.
 */
export async function revokeKey(tx: Sql, input: RevokeKeyInput): Promise<RevokeKeyResult> {
  // revoked_at = now() only when this transaction set it (now() is fixed per transaction).
  const rows = await tx.query<KeyRow & { newly_revoked: boolean }>(
    `UPDATE backplane.api_keys SET revoked_at = coalesce(revoked_at, now())
     WHERE id = $1 AND ($2::text IS NULL OR org_id = $2)
     RETURNING ${keyColumns}, revoked_at = now() AS newly_revoked`,
    [input.id, input.withinOrg],
  );
  const row = rows[0];
  if (!row) throw new AppError("not_found", `No key ${input.id}`);
  const descendants = input.cascade ? await tx.query<{ id: string }>(revokeDescendants, [input.id, input.withinOrg]) : [];
  if (input.audit && (row.newly_revoked || descendants.length > 0)) {
    await recordAuditEvent(tx, {
      ...input.audit,
      orgId: row.org_id,
      action: "key.revoked",
      target: { type: "api_key", id: row.id },
      metadata: {
        cascade: input.cascade ?? false,
        alreadyRevoked: !row.newly_revoked,
        revokedDescendants: descendants.length,
        descendantIds: descendants.slice(0, 50).map((d) => d.id),
      },
    });
  }
  return { key: toKeyInfo(row), revokedDescendants: descendants.length, ids: [input.id, ...descendants.map((d) => d.id)] };
}
