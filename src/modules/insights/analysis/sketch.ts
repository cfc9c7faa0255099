/**
 * A DDSketch (Masson, Rim & Lee, VLDB 2019): latencies go into logarithmic buckets, so any
 * quantile is known within RELATIVE_ACCURACY of the true value, and sketches of different days
 * merge by adding counts. Stored as { bucketIndex: count } in jsonb; "z" holds values ≤ MIN_VALUE.
 */
export type Sketch = Record<string, number>;

export const RELATIVE_ACCURACY = 0.01;
const gamma = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const logGamma = Math.log(gamma);
const MIN_VALUE = 1e-3;
const ZERO = "z";

export function addToSketch(sketch: Sketch, value: number): void {
  const bucket = value <= MIN_VALUE ? ZERO : String(Math.ceil(Math.log(value) / logGamma));
  sketch[bucket] = (sketch[bucket] ?? 0) + 1;
}

export function mergeSketches(into: Sketch, from: Sketch): Sketch {
  for (const [bucket, count] of Object.entries(from)) into[bucket] = (into[bucket] ?? 0) + count;
  return into;
}

/** The q-quantile (0 ≤ q ≤ 1) of the values in the sketch; null when it is empty. */
export function sketchQuantile(sketch: Sketch, q: number): number | null {
  const buckets = Object.entries(sketch)
    .map(([bucket, count]) => ({ index: bucket === ZERO ? Number.NEGATIVE_INFINITY : Number(bucket), count }))
    .sort((a, b) => a.index - b.index);
  const total = buckets.reduce((sum, bucket) => sum + bucket.count, 0);
  if (total === 0) return null;
  const rank = q * (total - 1);
  let seen = 0;
  for (const bucket of buckets) {
    seen += bucket.count;
    if (seen > rank) return bucket.index === Number.NEGATIVE_INFINITY ? 0 : (2 * gamma ** bucket.index) / (gamma + 1);
  }
  return null;
}

/** What analyze-performance reads from an event's properties; null when it carries no signal. */
export function performanceSignal(properties: Record<string, unknown> | null): { latencyMs: number | null; error: boolean } | null {
  if (!properties) return null;
  const duration = properties.durationMs ?? properties.latencyMs;
  const latencyMs = typeof duration === "number" && Number.isFinite(duration) && duration >= 0 && duration < 1e9 ? duration : null;
  const status = typeof properties.status === "number" ? properties.status : null;
  const hasError = "error" in properties && properties.error !== false && properties.error !== null;
  const error = hasError || properties.ok === false || (status !== null && status >= 500);
  if (latencyMs === null && !("error" in properties) && !("ok" in properties) && status === null) return null;
  return { latencyMs, error };
}
