import { z } from "zod";
import type { Database, Sql } from "../../../platform/db/database.ts";
import { withTenant } from "../../../platform/tenancy/with-tenant.ts";
import { ANALYSIS_BATCH_EVENTS } from "../analysis/settings.ts";

/** Every analysis job runs for one user. */
export const userJobPayload = z.object({ userId: z.string().regex(/^usr_[0-9a-z]{1,64}$/) });

export type Analysis = "ingest" | "patterns" | "performance" | "suggestions";

/**
 * An analysis job works on one user's data in that user's tenant context, as the app role:
 * row-level security keeps a bug in a job from reading or writing another user's rows.
 */
export function asUserJob<T>(db: Database, userId: string, job: string, fn: (tx: Sql) => Promise<T>): Promise<T> {
  return withTenant(db, { orgId: null, userId, principal: `job:${job}` }, fn);
}

/**
 * The analysis's watermark for the user, with its row locked for the rest of the transaction, so
 * two runs for one user (a retry beside a fresh run) take turns instead of counting twice.
 */
export async function lockWatermark(tx: Sql, userId: string, analysis: Analysis): Promise<string> {
  await tx.query("INSERT INTO insights.analysis_state (user_id, analysis) VALUES ($1, $2) ON CONFLICT DO NOTHING", [userId, analysis]);
  const [row] = await tx.query<{ watermark: string }>(
    "SELECT watermark::text AS watermark FROM insights.analysis_state WHERE user_id = $1 AND analysis = $2 FOR UPDATE",
    [userId, analysis],
  );
  return row?.watermark ?? "0";
}

/**
 * The seq up to which this run takes telemetry in: the newest, or the ANALYSIS_BATCH_EVENTS-th
 * after the watermark (then `more` says a follow-up run is needed). null: nothing new.
 */
export async function nextBatch(
  tx: Sql,
  userId: string,
  watermark: string,
): Promise<{ upTo: string; events: number; more: boolean } | null> {
  const [row] = await tx.query<{ up_to: string | null; n: number }>(
    `SELECT max(seq)::text AS up_to, count(*)::int AS n FROM (
       SELECT seq FROM insights.telemetry_events WHERE user_id = $1 AND seq > $2::bigint ORDER BY seq LIMIT $3) batch`,
    [userId, watermark, ANALYSIS_BATCH_EVENTS],
  );
  if (!row?.up_to) return null;
  return { upTo: row.up_to, events: row.n, more: row.n >= ANALYSIS_BATCH_EVENTS };
}

export async function saveRun(tx: Sql, userId: string, analysis: Analysis, watermark: string, summary: unknown): Promise<void> {
  await tx.query(
    `UPDATE insights.analysis_state SET watermark = $3::bigint, summary = $4::jsonb, runs = runs + 1, last_run_at = clock_timestamp()
     WHERE user_id = $1 AND analysis = $2`,
    [userId, analysis, watermark, JSON.stringify(summary ?? null)],
  );
}

/** When the analysis last ran for the user (null: never). */
export async function lastRunOf(tx: Sql, userId: string, analysis: Analysis): Promise<string | null> {
  const [row] = await tx.query<{ last_run_at: Date | string | null }>(
    "SELECT last_run_at FROM insights.analysis_state WHERE user_id = $1 AND analysis = $2",
    [userId, analysis],
  );
  return row?.last_run_at ? new Date(row.last_run_at).toISOString() : null;
}
