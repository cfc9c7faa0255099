/**
 * Session training load (seed §2.4 "Calculate Load"). Pure functions: the pipeline stores what
 * they return in activities.training_load / load_method / trimp.
 */

export type Sex = "male" | "female";

export interface HeartRateProfile {
  restingHr: number;
  maxHr: number;
  /** Chooses Banister's weighting; unknown uses the mean of the two curves. */
  sex: Sex | null;
}

export interface SessionInput {
  durationSec: number | null;
  avgHr: number | null;
  /** Session RPE, 1–10 (CR-10). */
  rpe: number | null;
}

/** As stored in activities.load_method. */
export type LoadMethod = "trimp" | "session_rpe";

export interface SessionLoad {
  /** The load the analysis sums (TRIMP, or RPE × minutes). */
  load: number;
  method: LoadMethod;
  /** Banister TRIMP when heart rate allowed it, else null. */
  trimp: number | null;
}

// Banister (1991): y = a·e^(b·ΔHR), men a 0.64 b 1.92, women a 0.86 b 1.67.
const weighting: Record<Sex, { a: number; b: number }> = {
  male: { a: 0.64, b: 1.92 },
  female: { a: 0.86, b: 1.67 },
};

const round1 = (value: number) => Math.round(value * 10) / 10;

/**
 * Banister's TRIMP: minutes × ΔHR × y(ΔHR), ΔHR = (avg − rest) / (max − rest) clamped to [0, 1].
 * null when the inputs cannot give a meaningful value (no duration, max not above rest).
 */
export function banisterTrimp(durationSec: number, avgHr: number, profile: HeartRateProfile): number | null {
  if (!(durationSec > 0) || !(avgHr > 0) || !(profile.maxHr > profile.restingHr) || !(profile.restingHr > 0)) return null;
  const reserve = Math.min(1, Math.max(0, (avgHr - profile.restingHr) / (profile.maxHr - profile.restingHr)));
  const factor = (sex: Sex) => weighting[sex].a * Math.exp(weighting[sex].b * reserve);
  const y = profile.sex === null ? (factor("male") + factor("female")) / 2 : factor(profile.sex);
  return round1((durationSec / 60) * reserve * y);
}

/** Foster's session RPE: RPE (1–10) × minutes. */
export function sessionRpeLoad(durationSec: number, rpe: number): number | null {
  if (!(durationSec > 0) || !(rpe >= 1 && rpe <= 10)) return null;
  return round1(rpe * (durationSec / 60));
}

/**
 * TRIMP when heart rate and the user's resting and max HR are known; otherwise session RPE ×
 * minutes when an RPE was given; otherwise no load (null).
 */
export function sessionLoad(session: SessionInput, profile: Partial<HeartRateProfile> | null): SessionLoad | null {
  const duration = session.durationSec ?? 0;
  if (session.avgHr !== null && profile?.restingHr != null && profile.maxHr != null) {
    const trimp = banisterTrimp(duration, session.avgHr, { restingHr: profile.restingHr, maxHr: profile.maxHr, sex: profile.sex ?? null });
    if (trimp !== null) return { load: trimp, method: "trimp", trimp };
  }
  if (session.rpe !== null) {
    const load = sessionRpeLoad(duration, session.rpe);
    if (load !== null) return { load, method: "session_rpe", trimp: null };
  }
  return null;
}
