import type { Sql } from "../../../platform/db/database.ts";
import { mergeSketches, type Sketch, sketchQuantile } from "../analysis/sketch.ts";
import { utcDay, windowStart } from "../analysis/window.ts";

export interface AppPerformance {
  app: string;
  samples: number;
  errors: number;
  errorRate: number;
  latency: { count: number; meanMs: number; p50Ms: number; p95Ms: number; p99Ms: number; maxMs: number } | null;
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Latency and error figures per app over the last `days` UTC days, merged from the daily rows
 * analyze-performance keeps (percentiles from the merged sketches). Most samples first.
 */
export async function readPerformance(tx: Sql, userId: string, input: { now: Date; days: number }): Promise<AppPerformance[]> {
  const rows = await tx.query<{
    app: string;
    samples: number;
    errors: number;
    latency_count: number;
    latency_sum: number;
    latency_max: number | null;
    sketch: Sketch | string;
  }>(
    `SELECT app, samples, errors, latency_count, latency_sum, latency_max, sketch
     FROM insights.app_performance_daily WHERE user_id = $1 AND day >= $2::date`,
    [userId, utcDay(windowStart(input.now, input.days))],
  );
  const byApp = new Map<string, { samples: number; errors: number; count: number; sum: number; max: number | null; sketch: Sketch }>();
  for (const row of rows) {
    const entry = byApp.get(row.app) ?? { samples: 0, errors: 0, count: 0, sum: 0, max: null, sketch: {} };
    entry.samples += row.samples;
    entry.errors += row.errors;
    entry.count += row.latency_count;
    entry.sum += Number(row.latency_sum);
    if (row.latency_max !== null) entry.max = Math.max(entry.max ?? 0, Number(row.latency_max));
    mergeSketches(entry.sketch, typeof row.sketch === "string" ? JSON.parse(row.sketch) : row.sketch);
    byApp.set(row.app, entry);
  }
  return [...byApp.entries()]
    .map(([app, entry]) => {
      const max = entry.max ?? 0;
      // A bucket's representative value can sit just above the largest value seen: never report more than the max.
      const quantile = (q: number) => round(Math.min(sketchQuantile(entry.sketch, q) ?? 0, max));
      return {
        app,
        samples: entry.samples,
        errors: entry.errors,
        errorRate: entry.samples === 0 ? 0 : round(entry.errors / entry.samples, 4),
        latency:
          entry.count === 0
            ? null
            : {
                count: entry.count,
                meanMs: round(entry.sum / entry.count),
                p50Ms: quantile(0.5),
                p95Ms: quantile(0.95),
                p99Ms: quantile(0.99),
                maxMs: max,
              },
      };
    })
    .sort((a, b) => b.samples - a.samples || a.app.localeCompare(b.app));
}
