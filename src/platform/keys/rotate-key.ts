import { type AuditSource, recordAuditEvent } from "../audit/record-audit-event.ts";
import type { Database } from "../db/database.ts";
import { AppError } from "../http/errors.ts";
import { createKey } from "./create-key.ts";
import type { Grantor } from "./delegation.ts";
import type { CreatedKey, KeyInfo, KeyRow } from "./key-record.ts";
import { keyColumns, toKeyInfo } from "./key-record.ts";
import { findKey } from "./list-keys.ts";

export const DEFAULT_OVERLAP_SECONDS = 24 * 60 * 60;
export const MAX_OVERLAP_SECONDS = 30 * 24 * 60 * 60;

export interface RotateKeyInput {
  secret: string;
  id: string;
  withinOrg: string | null;
  /** How long the old key keeps working (default 24 h). 0 ends it now. */
  overlapSeconds?: number;
  createdBy: string;
  /** The key rotating it over HTTP: an org-bound one must hold the key's scopes, and the successor lives no longer than it. */
  grantor?: Grantor | null;
  /** KEYS_MAX_PER_ORG: the successor counts while the old key overlaps. */
  maxKeysPerOrg?: number;
  /** Who rotates: a `key.rotated` audit row (target: the old key) is written in the rotation's transaction. */
  audit?: AuditSource;
}

/**
 * Issues a successor with the same name, org, scopes and environment, and shortens the old
 * key's life to the overlap, after which it stops by itself (an expiry, so no job is needed).
 * A key that had a lifetime gives its successor the same lifetime, counted from now.
 */
export async function rotateKey(db: Pick<Database, "transaction">, input: RotateKeyInput): Promise<{ key: CreatedKey; previous: KeyInfo }> {
  const overlap = input.overlapSeconds ?? DEFAULT_OVERLAP_SECONDS;
  if (!Number.isInteger(overlap) || overlap < 0 || overlap > MAX_OVERLAP_SECONDS) {
    throw new AppError("validation_failed", `overlap must be 0–${MAX_OVERLAP_SECONDS} seconds`);
  }
  return db.transaction(async (tx) => {
    // FOR UPDATE: two concurrent rotations of one key cannot both issue a successor.
    const old = await findKey(tx, input.id, input.withinOrg, true);
    if (!old) throw new AppError("not_found", `No key ${input.id}`);
    if (old.revoked_at !== null) throw new AppError("conflict", `Key ${old.id} is revoked; create a new key instead`);
    // Expiry and the successor's expiry by the database clock, the clock that wrote expires_at.
    const [clock] = (await tx.query<{ expired: boolean; successor_expires_at: Date | string | null }>(
      "SELECT expires_at <= now() AS expired, now() + (expires_at - created_at) AS successor_expires_at FROM backplane.api_keys WHERE id = $1",
      [old.id],
    )) as [{ expired: boolean | null; successor_expires_at: Date | string | null }];
    if (clock.expired) throw new AppError("conflict", `Key ${old.id} has expired; create a new key instead`);
    if (old.replaced_by !== null)
      throw new AppError("conflict", `Key ${old.id} was already rotated to ${old.replaced_by}; rotate that key`);

    const key = await createKey(tx, {
      secret: input.secret,
      name: old.name,
      orgId: old.org_id,
      scopes: old.scopes,
      environment: old.environment,
      expiresAt: clock.successor_expires_at === null ? null : new Date(clock.successor_expires_at),
      createdBy: input.createdBy,
      grantor: input.grantor ?? null,
      // Same credential, same place in the tree: a cascade from whoever created the old key reaches the successor.
      parentKeyId: old.parent_key_id,
      rateLimit:
        old.rate_limit_per_second === null || old.rate_limit_burst === null
          ? null
          : { perSecond: old.rate_limit_per_second, burst: old.rate_limit_burst },
      expiryBeyondGrantor: "clamp",
      maxKeysPerOrg: input.maxKeysPerOrg,
    });
    const rows = await tx.query<KeyRow>(
      `UPDATE backplane.api_keys
       SET replaced_by = $2,
           expires_at = least(coalesce(expires_at, 'infinity'::timestamptz), now() + make_interval(secs => $3))
       WHERE id = $1
       RETURNING ${keyColumns}`,
      [old.id, key.id, overlap],
    );
    const previous = toKeyInfo(rows[0] as KeyRow);
    if (input.audit) {
      await recordAuditEvent(tx, {
        ...input.audit,
        orgId: previous.orgId,
        action: "key.rotated",
        target: { type: "api_key", id: previous.id },
        metadata: { successorId: key.id, overlapSeconds: overlap, previousExpiresAt: previous.expiresAt, scopes: key.scopes },
      });
    }
    return { key, previous };
  });
}
