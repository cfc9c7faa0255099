import type { Sql } from "../../../platform/db/database.ts";
import { clockOf } from "../../../platform/identity/identity-settings.ts";
import { defineJob } from "../../../platform/jobs/define-job.ts";
import { performanceFindings } from "../analysis/findings.ts";
import { ANALYSIS_WINDOW_DAYS } from "../analysis/settings.ts";
import { addToSketch, mergeSketches, performanceSignal, type Sketch } from "../analysis/sketch.ts";
import { utcDay } from "../analysis/window.ts";
import { replaceFindings } from "../services/insight-rows.ts";
import { readPerformance } from "../services/performance.ts";
import { asUserJob, lockWatermark, nextBatch, saveRun, userJobPayload } from "./analysis-state.ts";

interface DayStats {
  app: string;
  day: string;
  samples: number;
  errors: number;
  latencyCount: number;
  latencySum: number;
  latencyMax: number | null;
  sketch: Sketch;
}

// Properties that carry a latency or error signal (see performanceSignal).
const signalKeys = ["durationMs", "latencyMs", "error", "ok", "status"];

/** Folds the new events' latency and error signals into the per-app, per-day rows. */
async function addPerformance(tx: Sql, userId: string, watermark: string, upTo: string): Promise<number> {
  const rows = await tx.query<{ app: string; occurred_at: Date | string; properties: Record<string, unknown> | string }>(
    `SELECT app, occurred_at, properties FROM insights.telemetry_events
     WHERE user_id = $1 AND seq > $2::bigint AND seq <= $3::bigint AND app IS NOT NULL AND properties ?| $4::text[]`,
    [userId, watermark, upTo, signalKeys],
  );
  const stats = new Map<string, DayStats>();
  for (const row of rows) {
    const signal = performanceSignal(typeof row.properties === "string" ? JSON.parse(row.properties) : row.properties);
    if (!signal) continue;
    const day = utcDay(row.occurred_at);
    const key = `${row.app}\u0000${day}`;
    let entry = stats.get(key);
    if (!entry) {
      entry = { app: row.app, day, samples: 0, errors: 0, latencyCount: 0, latencySum: 0, latencyMax: null, sketch: {} };
      stats.set(key, entry);
    }
    entry.samples++;
    if (signal.error) entry.errors++;
    if (signal.latencyMs !== null) {
      entry.latencyCount++;
      entry.latencySum += signal.latencyMs;
      entry.latencyMax = Math.max(entry.latencyMax ?? 0, signal.latencyMs);
      addToSketch(entry.sketch, signal.latencyMs);
    }
  }
  const changed = [...stats.values()];
  if (changed.length === 0) return 0;
  // Sketches merge in code: read the stored rows for these (app, day) pairs (locked by the state row).
  const stored = await tx.query<{ app: string; day: string; sketch: Sketch | string }>(
    `SELECT d.app, to_char(d.day, 'YYYY-MM-DD') AS day, d.sketch FROM insights.app_performance_daily d
     JOIN unnest($2::text[], $3::date[]) AS k(app, day) ON d.app = k.app AND d.day = k.day
     WHERE d.user_id = $1`,
    [userId, changed.map((entry) => entry.app), changed.map((entry) => entry.day)],
  );
  for (const row of stored) {
    const entry = stats.get(`${row.app}\u0000${row.day}`);
    if (entry) mergeSketches(entry.sketch, typeof row.sketch === "string" ? JSON.parse(row.sketch) : row.sketch);
  }
  await tx.query(
    `INSERT INTO insights.app_performance_daily AS d (user_id, app, day, samples, errors, latency_count, latency_sum, latency_max, sketch)
     SELECT $1, app, day, samples, errors, latency_count, latency_sum, latency_max, sketch::jsonb
     FROM unnest($2::text[], $3::date[], $4::int[], $5::int[], $6::int[], $7::float8[], $8::float8[], $9::text[])
       AS s(app, day, samples, errors, latency_count, latency_sum, latency_max, sketch)
     ON CONFLICT (user_id, app, day) DO UPDATE SET
       samples = d.samples + EXCLUDED.samples, errors = d.errors + EXCLUDED.errors,
       latency_count = d.latency_count + EXCLUDED.latency_count, latency_sum = d.latency_sum + EXCLUDED.latency_sum,
       latency_max = greatest(d.latency_max, EXCLUDED.latency_max), sketch = EXCLUDED.sketch`,
    [
      userId,
      changed.map((entry) => entry.app),
      changed.map((entry) => entry.day),
      changed.map((entry) => entry.samples),
      changed.map((entry) => entry.errors),
      changed.map((entry) => entry.latencyCount),
      changed.map((entry) => entry.latencySum),
      changed.map((entry) => entry.latencyMax),
      changed.map((entry) => JSON.stringify(entry.sketch)),
    ],
  );
  return changed.length;
}

/**
 * Seed 002's `analyze-performance`: per-app latency (mean, p50/p95/p99, max) and error counts from
 * event properties, kept per UTC day from its watermark, then the user's performance insights
 * (slow apps, error-prone apps) rewritten from the analysis window.
 */
export const analyzePerformanceJob = defineJob({
  name: "insights.analyze-performance",
  queue: "default",
  payload: userJobPayload,
  async handler({ userId }, { services }) {
    const now = clockOf(services);
    await asUserJob(services.db, userId, "insights.analyze-performance", async (tx) => {
      const watermark = await lockWatermark(tx, userId, "performance");
      const batch = await nextBatch(tx, userId, watermark);
      if (batch) await addPerformance(tx, userId, watermark, batch.upTo);
      const apps = await readPerformance(tx, userId, { now, days: ANALYSIS_WINDOW_DAYS });
      await replaceFindings(tx, userId, "performance", performanceFindings(apps, ANALYSIS_WINDOW_DAYS));
      await saveRun(tx, userId, "performance", batch?.upTo ?? watermark, { apps: apps.length });
      if (batch?.more) await services.jobs.enqueue(analyzePerformanceJob, { userId }, { tx });
    });
  },
});
