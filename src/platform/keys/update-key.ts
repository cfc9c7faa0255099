import { type AuditSource, recordAuditEvent } from "../audit/record-audit-event.ts";
import type { Sql } from "../db/database.ts";
import { AppError } from "../http/errors.ts";
import { type KeyInfo, type KeyRow, keyColumns, toKeyInfo } from "./key-record.ts";

/** Sets (or clears, with null) a key's own request limit. Another org's key is a 404, like a missing one. */
export async function updateKeyRateLimit(
  tx: Sql,
  input: { id: string; withinOrg: string | null; rateLimit: { perSecond: number; burst?: number } | null; audit?: AuditSource },
): Promise<KeyInfo> {
  const perSecond = input.rateLimit?.perSecond ?? null;
  const burst = input.rateLimit ? (input.rateLimit.burst ?? input.rateLimit.perSecond) : null;
  const rows = await tx.query<KeyRow>(
    `UPDATE backplane.api_keys SET rate_limit_per_second = $3, rate_limit_burst = $4
     WHERE id = $1 AND ($2::text IS NULL OR org_id = $2) RETURNING ${keyColumns}`,
    [input.id, input.withinOrg, perSecond, burst],
  );
  const row = rows[0];
  if (!row) throw new AppError("not_found", `No API key ${input.id}`);
  const key = toKeyInfo(row);
  if (input.audit) {
    await recordAuditEvent(tx, {
      ...input.audit,
      orgId: key.orgId,
      action: "key.updated",
      target: { type: "api_key", id: key.id },
      metadata: { rateLimit: key.rateLimit },
    });
  }
  return key;
}
