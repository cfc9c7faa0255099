import type { Sql } from "../db/database.ts";
import { AppError } from "../http/errors.ts";
import { unseal } from "../idempotency/seal.ts";
import { newId } from "../ids.ts";

/** How long a built export can be downloaded. */
export const EXPORT_TTL_HOURS = 24;
export const SEAL_PURPOSE = "privacy-export";
export const sealBinding = (exportId: string) => `privacy-export:${exportId}`;

export type ExportStatus = "pending" | "ready" | "failed" | "expired";

export interface ExportInfo {
  id: string;
  status: ExportStatus;
  requestedAt: string;
  completedAt: string | null;
  expiresAt: string | null;
  bytes: number | null;
  /** Where the bundle is, while it is ready. */
  downloadUrl: string | null;
}

interface ExportRow {
  id: string;
  status: "pending" | "ready" | "failed";
  requested_at: Date;
  completed_at: Date | null;
  expires_at: Date | null;
  bytes: number | null;
}

const exportColumns = "id, status, requested_at, completed_at, expires_at, bytes";
const iso = (value: Date | null) => (value === null ? null : new Date(value).toISOString());

function toInfo(row: ExportRow, now: Date): ExportInfo {
  const expired = row.status === "ready" && row.expires_at !== null && new Date(row.expires_at) <= now;
  const status: ExportStatus = expired ? "expired" : row.status;
  return {
    id: row.id,
    status,
    requestedAt: new Date(row.requested_at).toISOString(),
    completedAt: iso(row.completed_at),
    expiresAt: iso(row.expires_at),
    bytes: row.bytes,
    downloadUrl: status === "ready" ? `/api/privacy/export/${row.id}/download` : null,
  };
}

/**
 * Holds the user row for the rest of the transaction (an erasure finishing meanwhile waits, or has
 * already won): a request by a user erased since their session was checked is a 401, not a
 * foreign-key failure.
 */
async function lockLiveUser(tx: Sql, userId: string): Promise<void> {
  const rows = await tx.query("SELECT 1 FROM backplane.users WHERE id = $1 FOR SHARE", [userId]);
  if (rows.length === 0) {
    throw new AppError("unauthorized", "The session has ended or is not recognized; sign in again", {
      details: { reason: "session_invalid" },
    });
  }
}

/**
 * A new export for the user, or the one already being built (one at a time per user). Runs in
 * the user's tenant transaction; `created` says whether the caller should enqueue the job.
 */
export async function requestExport(tx: Sql, input: { userId: string; now: Date }): Promise<{ export: ExportInfo; created: boolean }> {
  await lockLiveUser(tx, input.userId);
  const inserted = await tx.query<ExportRow>(
    `INSERT INTO backplane.privacy_exports (id, user_id, requested_at) VALUES ($1, $2, $3)
     ON CONFLICT (user_id) WHERE status = 'pending' DO NOTHING RETURNING ${exportColumns}`,
    [newId("pex"), input.userId, input.now],
  );
  if (inserted[0]) return { export: toInfo(inserted[0], input.now), created: true };
  const [pending] = await tx.query<ExportRow>(
    `SELECT ${exportColumns} FROM backplane.privacy_exports WHERE user_id = $1 AND status = 'pending'`,
    [input.userId],
  );
  if (!pending) throw new AppError("conflict", "An export was just finished; ask again");
  return { export: toInfo(pending, input.now), created: false };
}

/** One of the user's exports (another user's is the same 404 as a missing one). */
export async function getExport(tx: Sql, input: { userId: string; id: string; now: Date }): Promise<ExportInfo> {
  const [row] = await tx.query<ExportRow>(`SELECT ${exportColumns} FROM backplane.privacy_exports WHERE id = $1 AND user_id = $2`, [
    input.id,
    input.userId,
  ]);
  if (!row) throw new AppError("not_found", `No export ${input.id}`);
  return toInfo(row, input.now);
}

/** The bundle's JSON bytes, while the export is ready and unexpired. */
export async function readExportBundle(tx: Sql, input: { userId: string; id: string; now: Date; secret: string }): Promise<Buffer> {
  const [row] = await tx.query<ExportRow & { bundle: Uint8Array | null }>(
    `SELECT ${exportColumns}, bundle FROM backplane.privacy_exports WHERE id = $1 AND user_id = $2`,
    [input.id, input.userId],
  );
  if (!row) throw new AppError("not_found", `No export ${input.id}`);
  const info = toInfo(row, input.now);
  if (info.status === "expired") throw new AppError("not_found", `Export ${input.id} expired at ${info.expiresAt}; request a new one`);
  if (info.status !== "ready" || !row.bundle) {
    throw new AppError("conflict", `Export ${input.id} is ${info.status}, not ready`, { details: { status: info.status } });
  }
  return unseal(input.secret, row.bundle, sealBinding(row.id), SEAL_PURPOSE);
}

export interface DeletionInfo {
  id: string;
  status: "pending" | "done";
  requestedAt: string;
}

/** A new erasure of the user, or the one already under way; `created` as for exports. */
export async function requestDeletion(
  tx: Sql,
  input: { userId: string; pseudonym: string; now: Date },
): Promise<{ deletion: DeletionInfo; created: boolean }> {
  await lockLiveUser(tx, input.userId);
  const inserted = await tx.query<{ id: string; requested_at: Date }>(
    `INSERT INTO backplane.privacy_deletions (id, user_id, pseudonym, requested_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (user_id) WHERE status = 'pending' DO NOTHING RETURNING id, requested_at`,
    [newId("pdl"), input.userId, input.pseudonym, input.now],
  );
  const row =
    inserted[0] ??
    (
      await tx.query<{ id: string; requested_at: Date }>(
        "SELECT id, requested_at FROM backplane.privacy_deletions WHERE user_id = $1 AND status = 'pending'",
        [input.userId],
      )
    )[0];
  if (!row) throw new AppError("conflict", "The erasure just finished");
  return { deletion: { id: row.id, status: "pending", requestedAt: new Date(row.requested_at).toISOString() }, created: !!inserted[0] };
}
