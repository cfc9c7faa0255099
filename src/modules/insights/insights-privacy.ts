import type { Sql } from "../../platform/db/database.ts";
import { DELETE_BATCH, deleteInBatches } from "../../platform/db/delete-in-batches.ts";
import type { Cleanup, JobQueue, MetricSource, PrivacyHandlers } from "../../platform/module.ts";
import { asService } from "../../platform/tenancy/with-tenant.ts";
import { analyzePatternsJob } from "./jobs/analyze-patterns-job.ts";
import { analyzePerformanceJob } from "./jobs/analyze-performance-job.ts";
import { DEFAULT_RETENTION_DAYS } from "./schemas/privacy.ts";

// Every insights table keyed by user_id, children of the catalog first (erase order does not matter
// otherwise: nothing here references another user table).
const userTables = [
  "suggestions",
  "integration_connections",
  "insights",
  "analysis_state",
  "app_performance_daily",
  "sequence_daily",
  "usage_hourly",
  "telemetry_events",
  "privacy_settings",
] as const;

/**
 * Everything Floyo holds about the user: settings, raw telemetry, the aggregates and findings
 * derived from it, connections (settings and which credentials are stored, never the sealed
 * credentials) and suggestions.
 */
export const insightsPrivacy: PrivacyHandlers = {
  async export(tx, { userId }) {
    const rows = (sql: string) => tx.query(sql, [userId]);
    const [settings] = await rows(
      "SELECT telemetry_enabled, retention_days, created_at, updated_at FROM insights.privacy_settings WHERE user_id = $1",
    );
    return {
      privacySettings: settings ?? null,
      telemetryEvents: await rows(
        "SELECT id, type, app, occurred_at, received_at, properties FROM insights.telemetry_events WHERE user_id = $1 ORDER BY seq",
      ),
      usageHourly: await rows("SELECT hour, app, type, events FROM insights.usage_hourly WHERE user_id = $1 ORDER BY hour, app, type"),
      sequencesDaily: await rows(
        "SELECT day, sequence, occurrences FROM insights.sequence_daily WHERE user_id = $1 ORDER BY day, sequence",
      ),
      appPerformanceDaily: await rows(
        `SELECT app, day, samples, errors, latency_count, latency_sum, latency_max, sketch
         FROM insights.app_performance_daily WHERE user_id = $1 ORDER BY day, app`,
      ),
      analyses: await rows(
        "SELECT analysis, watermark, summary, runs, last_run_at FROM insights.analysis_state WHERE user_id = $1 ORDER BY analysis",
      ),
      insights: await rows(
        "SELECT id, kind, key, title, data, created_at, updated_at FROM insights.insights WHERE user_id = $1 ORDER BY seq",
      ),
      integrations: await rows(
        `SELECT integration_id, config, credential_fields, connected_at, updated_at
         FROM insights.integration_connections WHERE user_id = $1 ORDER BY integration_id`,
      ),
      suggestions: await rows(
        `SELECT id, integration_id, reason, evidence, score, dismissed_at, created_at, updated_at
         FROM insights.suggestions WHERE user_id = $1 ORDER BY created_at, id`,
      ),
    };
  },
  async erase(tx, { userId }) {
    const counts: Record<string, number> = {};
    for (const table of userTables) {
      const [row] = await tx.query<{ n: number }>(
        `WITH gone AS (DELETE FROM insights.${table} WHERE user_id = $1 RETURNING 1) SELECT count(*)::int AS n FROM gone`,
        [userId],
      );
      counts[table] = row?.n ?? 0;
    }
    return counts;
  },
};

/** `now` minus the user's retention (their setting, else the default), for a row aliased `r`. */
const cutoff = `($1::timestamptz - make_interval(days => coalesce(
  (SELECT s.retention_days FROM insights.privacy_settings s WHERE s.user_id = r.user_id), ${DEFAULT_RETENTION_DAYS})))`;

/**
 * Deletes the rows of `table` (key columns `key`) matching `where` (a row aliased `r`), at most
 * `batch` per statement; adds the users it touched to `users` and returns the row count.
 */
function deleteWhere(
  tx: Sql,
  input: { table: string; key: readonly string[]; where: string; now: Date; batch: number; users: Set<string> },
): Promise<number> {
  const outer = input.key.map((column) => `t.${column}`).join(", ");
  const inner = input.key.map((column) => `r.${column}`).join(", ");
  return deleteInBatches<{ user_id: string }>(
    tx,
    `DELETE FROM insights.${input.table} t WHERE (${outer}) IN (
       SELECT ${inner} FROM insights.${input.table} r WHERE ${input.where} LIMIT $2)
     RETURNING t.user_id`,
    [input.now],
    input.batch,
    (rows) => {
      for (const row of rows) input.users.add(row.user_id);
    },
  );
}

/**
 * The expired raw events, at most `batch` per statement, walking the (user_id, seq) index from
 * where the previous statement stopped: each statement reads on from there instead of scanning
 * again past the rows its predecessors deleted (a 110,000-row backlog: ~2 s, as one statement).
 */
async function deleteExpiredEvents(tx: Sql, where: string, now: Date, batch: number, users: Set<string>): Promise<number> {
  let after = { userId: "", seq: "0" };
  let total = 0;
  for (;;) {
    const [row] = await tx.query<{ n: number; users: string[] | null; last_user: string | null; last_seq: string | null }>(
      `WITH doomed AS (
         SELECT r.user_id, r.seq FROM insights.telemetry_events r
         WHERE (r.user_id, r.seq) > ($3::text, $4::bigint) AND ${where} ORDER BY r.user_id, r.seq LIMIT $2),
       gone AS (
         DELETE FROM insights.telemetry_events t USING doomed d WHERE t.user_id = d.user_id AND t.seq = d.seq RETURNING t.user_id)
       SELECT (SELECT count(*)::int FROM gone) AS n, (SELECT array_agg(DISTINCT user_id) FROM gone) AS users,
         (SELECT user_id FROM doomed ORDER BY user_id DESC, seq DESC LIMIT 1) AS last_user,
         (SELECT seq::text FROM doomed ORDER BY user_id DESC, seq DESC LIMIT 1) AS last_seq`,
      [now, batch, after.userId, after.seq],
    );
    for (const userId of row?.users ?? []) users.add(userId);
    total += row?.n ?? 0;
    if (!row?.last_user || !row.last_seq || (row?.n ?? 0) < batch) return total;
    after = { userId: row.last_user, seq: row.last_seq };
  }
}

/**
 * Telemetry past each user's retention (7–365 days, default 90), as of the tick's `now`: raw
 * events by when they happened, and the hourly and daily aggregates made from them. Then what the
 * analyses derived: findings and open suggestions last computed before the cutoff (so from
 * expired events only) go at once, and each user who lost anything has analyze-patterns and
 * analyze-performance queued (they enqueue generate-suggestions), which rewrite the findings,
 * suggestions (a dismissed one keeps its dismissal, with today's counts) and summaries from what
 * is retained: nothing derived outlives the events it came from. Nothing younger than the minimum
 * retention (7 days) is even looked at. Every delete runs in statements of at most `batch` rows.
 */
export async function deleteExpiredTelemetry(tx: Sql, jobs: JobQueue, now: Date, batch = DELETE_BATCH): Promise<Record<string, number>> {
  const floor = "$1::timestamptz - interval '7 days'";
  const dayOf = (timestamp: string) => `((${timestamp}) AT TIME ZONE 'UTC')::date`;
  const users = new Set<string>();
  const expired = (table: string, key: readonly string[], where: string) => deleteWhere(tx, { table, key, where, now, batch, users });
  const counts = {
    events: await deleteExpiredEvents(tx, `r.occurred_at < ${floor} AND r.occurred_at < ${cutoff}`, now, batch, users),
    hourly: await expired("usage_hourly", ["user_id", "hour", "app", "type"], `r.hour < ${floor} AND r.hour < ${cutoff}`),
    // A day's row goes once the whole day is past retention.
    sequenceDays: await expired("sequence_daily", ["user_id", "day", "sequence"], `r.day < ${dayOf(floor)} AND r.day < ${dayOf(cutoff)}`),
    performanceDays: await expired(
      "app_performance_daily",
      ["user_id", "app", "day"],
      `r.day < ${dayOf(floor)} AND r.day < ${dayOf(cutoff)}`,
    ),
    insights: await expired("insights", ["seq"], `r.updated_at < ${floor} AND r.updated_at < ${cutoff}`),
    suggestions: await expired("suggestions", ["id"], `r.dismissed_at IS NULL AND r.updated_at < ${floor} AND r.updated_at < ${cutoff}`),
    // The ingest run's note (how many events it took in, when) once that run is past retention:
    // at most one row per user, so one statement.
    summaries: (
      await tx.query(
        `UPDATE insights.analysis_state r SET summary = NULL
         WHERE r.analysis = 'ingest' AND r.summary IS NOT NULL AND r.last_run_at < ${floor} AND r.last_run_at < ${cutoff}
         RETURNING 1`,
        [now],
      )
    ).length,
    reanalysed: 0,
  };
  // Without a queue (JOBS_ENABLED=false) nothing analyses telemetry at all; what was computed
  // from expired events alone is gone above, the rest waits for the next analysis.
  if (jobs.enabled) {
    for (const userId of users) {
      await jobs.enqueue(analyzePatternsJob, { userId }, { tx });
      await jobs.enqueue(analyzePerformanceJob, { userId }, { tx });
    }
    counts.reanalysed = users.size;
  }
  return counts;
}

export const insightsCleanups: Cleanup[] = [
  {
    name: "insights.telemetry-retention",
    run: ({ db, jobs, now }) =>
      asService(db, "cleanup: telemetry past each user's retention", (tx) => deleteExpiredTelemetry(tx, jobs, now)),
  },
];

/**
 * The events a snapshot counts: received in its window, both ends moved back by a lag.
 * `received_at` is the ingest transaction's start, and a batch is seen only once committed: one
 * that began before a tick and committed after that tick's collection would fall in no window.
 * Lagged, it is counted by the next snapshot, as long as it took less than the lag (an ingest
 * transaction takes milliseconds; the lag is ten minutes). Each event is counted exactly once.
 */
const inLaggedWindow = `($1::timestamptz IS NULL OR received_at > $1::timestamptz - interval '10 minutes')
  AND received_at <= $2::timestamptz - interval '10 minutes'`;

export const insightsMetrics: MetricSource[] = [
  {
    name: "insights.events_ingested",
    async collect(tx, { from, to }) {
      const [row] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM insights.telemetry_events WHERE ${inLaggedWindow}`, [
        from,
        to,
      ]);
      return row?.n ?? 0;
    },
  },
  {
    name: "insights.users_sending_telemetry",
    async collect(tx, { from, to }) {
      const [row] = await tx.query<{ n: number }>(
        `SELECT count(DISTINCT user_id)::int AS n FROM insights.telemetry_events WHERE ${inLaggedWindow}`,
        [from, to],
      );
      return row?.n ?? 0;
    },
  },
];
