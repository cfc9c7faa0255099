import type { Sql } from "../../../platform/db/database.ts";
import { prepared } from "../../../platform/db/statement-names.ts";
import { AppError } from "../../../platform/http/errors.ts";
import type { JobQueue } from "../../../platform/module.ts";
import { ANALYSIS_DEBOUNCE_SECONDS } from "../analysis/settings.ts";
import { ingestTelemetryJob } from "../jobs/ingest-telemetry-job.ts";
import { DEFAULT_RETENTION_DAYS } from "../schemas/privacy.ts";
import type { TelemetryEvent, TelemetryResult } from "../schemas/telemetry.ts";

const MAX_AGE_MS = 365 * 86_400_000;
const MAX_AHEAD_MS = 86_400_000;

/** A batch's events outside [now − 365 days, now + 24 h] are a 400: no retention keeps them, or the client clock is off. */
function checkTimes(events: readonly TelemetryEvent[], now: Date): Date[] {
  const details: { field: string; message: string }[] = [];
  const times = events.map((event, index) => {
    const at = new Date(event.occurredAt);
    if (now.getTime() - at.getTime() > MAX_AGE_MS)
      details.push({ field: `body.events.${index}.occurredAt`, message: "more than 365 days ago" });
    if (at.getTime() - now.getTime() > MAX_AHEAD_MS)
      details.push({ field: `body.events.${index}.occurredAt`, message: "more than 24 hours ahead" });
    return at;
  });
  const first = details[0];
  if (first) throw new AppError("validation_failed", `${first.field}: ${first.message}`, { details: details.slice(0, 20) });
  return times;
}

// The batch's statements, prepared (statement-names.ts): fixed texts run for every batch.
const lockSql = prepared("SELECT pg_advisory_xact_lock(hashtext('insights.telemetry'), hashtext($1))");
const settingsSql = prepared("SELECT telemetry_enabled, retention_days FROM insights.privacy_settings WHERE user_id = $1");
const insertSql = prepared(`INSERT INTO insights.telemetry_events (user_id, id, type, app, occurred_at, properties)
     SELECT $1, id, type, app, occurred_at, properties::jsonb
     FROM unnest($2::uuid[], $3::text[], $4::text[], $5::timestamptz[], $6::text[]) AS e(id, type, app, occurred_at, properties)
     ON CONFLICT (user_id, id) DO NOTHING
     RETURNING 1`);

/**
 * Stores a batch for `userId` in the caller's (user-context) transaction and, when anything new
 * was stored, enqueues insights.ingest-telemetry in the same transaction, debounced per user:
 * commit, then answer. Events already stored (same user, same client id) are counted as
 * duplicates, so a retried batch stores nothing twice. Telemetry switched off: nothing is stored;
 * events older than the user's retention are dropped (counted in `dropped`).
 *
 * The user's batches are serialized by a transaction-scoped advisory lock: for one user, `seq`
 * order is then commit order, which is what makes the analyses' watermarks exact (a row with a
 * lower seq can never commit after a run has read past it).
 */
export async function recordTelemetry(
  tx: Sql,
  jobs: JobQueue,
  input: { userId: string; events: readonly TelemetryEvent[]; now: Date },
): Promise<TelemetryResult> {
  const { userId, events } = input;
  const times = checkTimes(events, input.now);
  await tx.query(lockSql, [userId]);
  const [settings] = await tx.query<{ telemetry_enabled: boolean; retention_days: number }>(settingsSql, [userId]);
  if (settings && !settings.telemetry_enabled) return { accepted: 0, duplicates: 0, dropped: events.length, telemetryEnabled: false };
  // Events already past the user's retention would be deleted by the next cleanup (and analysed
  // meanwhile): they are not stored at all, and counted as dropped.
  const oldest = input.now.getTime() - (settings?.retention_days ?? DEFAULT_RETENTION_DAYS) * 86_400_000;
  const kept = events.flatMap((event, index) => {
    const at = times[index] as Date;
    return at.getTime() >= oldest ? [{ event, at }] : [];
  });
  const dropped = events.length - kept.length;
  if (kept.length === 0) return { accepted: 0, duplicates: 0, dropped, telemetryEnabled: true };

  const stored = await tx.query(insertSql, [
    userId,
    kept.map(({ event }) => event.id),
    kept.map(({ event }) => event.type),
    kept.map(({ event }) => event.app ?? null),
    kept.map(({ at }) => at.toISOString()),
    kept.map(({ event }) => (event.properties === undefined ? null : JSON.stringify(event.properties))),
  ]);
  if (stored.length > 0) {
    await jobs.enqueueDebounced(ingestTelemetryJob, { userId }, { tx, key: userId, seconds: ANALYSIS_DEBOUNCE_SECONDS });
  }
  return { accepted: stored.length, duplicates: kept.length - stored.length, dropped, telemetryEnabled: true };
}
