/**
 * Daily readiness, 0–100 (seed §2.4 "AnalysisEngine"): HRV against the user's rolling baseline,
 * sleep, and soreness, each scored 0–100 and weighted 50 / 30 / 20. A missing input drops out
 * and the others are re-weighted; with none the readiness is unknown (null).
 */

export const HRV_BASELINE_DAYS = 28;
/** Fewer earlier readings than this: no baseline yet, HRV is left out. */
export const HRV_BASELINE_MIN_READINGS = 3;
export const SLEEP_TARGET_HOURS = 8;

export interface ReadinessInput {
  hrvRmssd: number | null;
  /** rMSSD readings of the baseline window before the day (any order). */
  hrvBaseline: readonly number[];
  sleepHours: number | null;
  /** 1 (none) … 10 (very sore). */
  soreness: number | null;
}

export interface Readiness {
  score: number;
  components: { hrv: number | null; sleep: number | null; soreness: number | null };
}

const clamp = (value: number) => Math.min(100, Math.max(0, value));

/**
 * HRV as a z-score of ln(rMSSD) against the baseline's mean and SD (the log makes the day-to-day
 * spread symmetric): the baseline itself scores 50, each SD ±20.
 */
export function hrvScore(rmssd: number, baseline: readonly number[]): number | null {
  const logs = baseline.filter((value) => value > 0).map(Math.log);
  if (!(rmssd > 0) || logs.length < HRV_BASELINE_MIN_READINGS) return null;
  const mean = logs.reduce((sum, value) => sum + value, 0) / logs.length;
  const variance = logs.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (logs.length - 1);
  // A flat baseline would make any change infinite; 0.05 (≈5 %) is a small usual day-to-day SD of ln rMSSD.
  const sd = Math.max(Math.sqrt(variance), 0.05);
  return Math.round(clamp(50 + 20 * ((Math.log(rmssd) - mean) / sd)));
}

export function sleepScore(hours: number): number {
  return Math.round(clamp((hours / SLEEP_TARGET_HOURS) * 100));
}

export function sorenessScore(soreness: number): number {
  return Math.round(clamp(100 - ((soreness - 1) * 100) / 9));
}

export function readiness(input: ReadinessInput): Readiness | null {
  const components = {
    hrv: input.hrvRmssd === null ? null : hrvScore(input.hrvRmssd, input.hrvBaseline),
    sleep: input.sleepHours === null ? null : sleepScore(input.sleepHours),
    soreness: input.soreness === null ? null : sorenessScore(input.soreness),
  };
  const weighted = [
    [components.hrv, 0.5],
    [components.sleep, 0.3],
    [components.soreness, 0.2],
  ].filter((entry): entry is [number, number] => entry[0] !== null);
  if (weighted.length === 0) return null;
  const total = weighted.reduce((sum, [, weight]) => sum + weight, 0);
  const score = Math.round(weighted.reduce((sum, [value, weight]) => sum + value * weight, 0) / total);
  return { score, components };
}
