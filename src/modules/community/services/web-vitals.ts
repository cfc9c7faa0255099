import type { Sql } from "../../../platform/db/database.ts";

export interface WebVital {
  id: string;
  name: string;
  value: number;
  rating?: string;
  navigationType?: string;
  page?: string;
  pathname?: string;
}

/** Stores measurements as they came (one multi-row INSERT). Query strings and fragments are dropped from the page. */
export async function recordWebVitals(tx: Sql, metrics: WebVital[]): Promise<number> {
  const values: unknown[] = [];
  const tuples = metrics.map((metric, index) => {
    const page = (metric.page ?? metric.pathname ?? "/").split(/[?#]/)[0] || "/";
    values.push(metric.name, metric.value, metric.rating ?? null, metric.id, metric.navigationType ?? null, page);
    const base = index * 6;
    return `($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5}, $${base + 6})`;
  });
  await tx.query(
    `INSERT INTO community.web_vitals (name, value, rating, metric_id, navigation_type, page) VALUES ${tuples.join(", ")}`,
    values,
  );
  return metrics.length;
}

// web.dev thresholds (good up to the first, poor above the second).
const thresholds: Record<string, [number, number]> = {
  CLS: [0.1, 0.25],
  FCP: [1800, 3000],
  INP: [200, 500],
  LCP: [2500, 4000],
  TTFB: [800, 1800],
  FID: [100, 300],
};

export function ratingOf(name: string, value: number): "good" | "needs-improvement" | "poor" {
  const [good, poor] = thresholds[name] ?? [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
  if (value <= good) return "good";
  return value <= poor ? "needs-improvement" : "poor";
}

/**
 * The 75th percentile per metric per page over the last `days`, as CrUX reports: the value
 * three quarters of page loads met. Continuous (interpolated) percentile, PostgreSQL's
 * percentile_cont(0.75).
 */
export async function summarizeWebVitals(tx: Sql, input: { days: number; page?: string }) {
  const rows = await tx.query<{ page: string; name: string; p75: number; samples: number }>(
    `SELECT page, name, percentile_cont(0.75) WITHIN GROUP (ORDER BY value) AS p75, count(*)::int AS samples
     FROM community.web_vitals
     WHERE recorded_at > now() - make_interval(days => $1) AND ($2::text IS NULL OR page = $2)
     GROUP BY page, name ORDER BY page, name`,
    [input.days, input.page ?? null],
  );
  return rows.map((row) => ({ ...row, p75: Number(row.p75), rating: ratingOf(row.name, Number(row.p75)) }));
}

export async function deleteOldWebVitals(tx: Sql, retentionDays: number, now: Date): Promise<number> {
  const rows = await tx.query(
    "DELETE FROM community.web_vitals WHERE recorded_at < $2::timestamptz - make_interval(days => $1) RETURNING id",
    [retentionDays, now],
  );
  return rows.length;
}
