import type { Sql } from "../../../platform/db/database.ts";
import { AppError } from "../../../platform/http/errors.ts";
import { DRAFT_MAX_BYTES } from "../schemas.ts";

export interface Draft {
  payload: unknown;
  updatedAt: string | null;
}

/** The user's draft, or an empty one. Run in the user's tenant context: RLS shows only their row. */
export async function getDraft(tx: Sql, userId: string): Promise<Draft> {
  const rows = await tx.query<{ payload: unknown; updated_at: Date }>(
    "SELECT payload, updated_at FROM community.drafts WHERE user_id = $1",
    [userId],
  );
  const row = rows[0];
  return row ? { payload: row.payload, updatedAt: new Date(row.updated_at).toISOString() } : { payload: null, updatedAt: null };
}

/** Replaces the user's draft (one per user). Over 256 KB of JSON is a 413. */
export async function saveDraft(tx: Sql, userId: string, payload: Record<string, unknown>): Promise<Draft> {
  const json = JSON.stringify(payload);
  const bytes = Buffer.byteLength(json);
  if (bytes > DRAFT_MAX_BYTES) {
    throw new AppError("payload_too_large", `payload is ${bytes} bytes; a draft holds at most ${DRAFT_MAX_BYTES}`, {
      details: { bytes, maxBytes: DRAFT_MAX_BYTES },
    });
  }
  const rows = await tx.query<{ payload: unknown; updated_at: Date }>(
    `INSERT INTO community.drafts (user_id, payload) VALUES ($1, $2::jsonb)
     ON CONFLICT (user_id) DO UPDATE SET payload = EXCLUDED.payload, updated_at = clock_timestamp()
     RETURNING payload, updated_at`,
    [userId, json],
  );
  const row = rows[0] as { payload: unknown; updated_at: Date };
  return { payload: row.payload, updatedAt: new Date(row.updated_at).toISOString() };
}
