import type { Sql } from "../../platform/db/database.ts";
import type { Cleanup, MetricSource, PrivacyHandlers } from "../../platform/module.ts";
import { asService } from "../../platform/tenancy/with-tenant.ts";
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

async function deleted(tx: Sql, sql: string, now: Date): Promise<number> {
  const [row] = await tx.query<{ n: number }>(`WITH gone AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM gone`, [now]);
  return row?.n ?? 0;
}

/**
 * Telemetry past each user's retention (7–365 days, default 90), as of the tick's `now`: raw
 * events by when they happened, and the hourly and daily aggregates made from them, so nothing
 * derived outlives the events it came from. Nothing younger than the minimum retention (7 days)
 * is even looked at.
 */
export async function deleteExpiredTelemetry(tx: Sql, now: Date): Promise<Record<string, number>> {
  const floor = "$1::timestamptz - interval '7 days'";
  const dayOf = (timestamp: string) => `((${timestamp}) AT TIME ZONE 'UTC')::date`;
  return {
    events: await deleted(tx, `DELETE FROM insights.telemetry_events r WHERE r.occurred_at < ${floor} AND r.occurred_at < ${cutoff}`, now),
    hourly: await deleted(tx, `DELETE FROM insights.usage_hourly r WHERE r.hour < ${floor} AND r.hour < ${cutoff}`, now),
    // A day's row goes once the whole day is past retention.
    sequenceDays: await deleted(
      tx,
      `DELETE FROM insights.sequence_daily r WHERE r.day < ${dayOf(floor)} AND r.day < ${dayOf(cutoff)}`,
      now,
    ),
    performanceDays: await deleted(
      tx,
      `DELETE FROM insights.app_performance_daily r WHERE r.day < ${dayOf(floor)} AND r.day < ${dayOf(cutoff)}`,
      now,
    ),
  };
}

export const insightsCleanups: Cleanup[] = [
  {
    name: "insights.telemetry-retention",
    run: ({ db, now }) => asService(db, "cleanup: telemetry past each user's retention", (tx) => deleteExpiredTelemetry(tx, now)),
  },
];

export const insightsMetrics: MetricSource[] = [
  {
    name: "insights.events_ingested",
    async collect(tx, { from, to }) {
      const [row] = await tx.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM insights.telemetry_events WHERE ($1::timestamptz IS NULL OR received_at > $1) AND received_at <= $2",
        [from, to],
      );
      return row?.n ?? 0;
    },
  },
  {
    name: "insights.users_sending_telemetry",
    async collect(tx, { from, to }) {
      const [row] = await tx.query<{ n: number }>(
        "SELECT count(DISTINCT user_id)::int AS n FROM insights.telemetry_events WHERE ($1::timestamptz IS NULL OR received_at > $1) AND received_at <= $2",
        [from, to],
      );
      return row?.n ?? 0;
    },
  },
];
