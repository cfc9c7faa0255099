import { describe, expect, it } from "vitest";
import { hrvScore, readiness, sleepScore, sorenessScore } from "../../src/modules/training/load/readiness.ts";
import { banisterTrimp, sessionLoad, sessionRpeLoad } from "../../src/modules/training/load/training-load.ts";
import { dailyTotals, ewma, workloadRatio } from "../../src/modules/training/load/workload-ratio.ts";

describe("Banister TRIMP", () => {
  // 60 min at 150 bpm, rest 50, max 200: ΔHR = 100/150. Men 0.64·e^(1.92·ΔHR) = 2.3018 → 92.1; women 0.86·e^(1.67·ΔHR) = 2.6181 → 104.7.
  it("uses the sex-specific factor", () => {
    expect(banisterTrimp(3600, 150, { restingHr: 50, maxHr: 200, sex: "male" })).toBe(92.1);
    expect(banisterTrimp(3600, 150, { restingHr: 50, maxHr: 200, sex: "female" })).toBe(104.7);
    // Unknown sex: the mean of the two weightings.
    expect(banisterTrimp(3600, 150, { restingHr: 50, maxHr: 200, sex: null })).toBe(98.4);
  });

  it("grows with duration and intensity; clamps ΔHR; refuses nonsense", () => {
    const profile = { restingHr: 50, maxHr: 200, sex: "male" as const };
    expect(banisterTrimp(7200, 150, profile)).toBeCloseTo(2 * 92.07, 0);
    expect(banisterTrimp(3600, 170, profile)!).toBeGreaterThan(banisterTrimp(3600, 150, profile)!);
    expect(banisterTrimp(3600, 250, profile)).toBe(banisterTrimp(3600, 200, profile));
    expect(banisterTrimp(3600, 40, profile)).toBe(0);
    expect(banisterTrimp(0, 150, profile)).toBeNull();
    expect(banisterTrimp(3600, 150, { restingHr: 60, maxHr: 60, sex: "male" })).toBeNull();
  });

  it("session RPE × minutes when heart rate is missing; nothing without either", () => {
    expect(sessionRpeLoad(2700, 6)).toBe(270);
    expect(sessionRpeLoad(2700, 11)).toBeNull();
    const profile = { restingHr: 50, maxHr: 200, sex: "female" as const };
    expect(sessionLoad({ durationSec: 3600, avgHr: 150, rpe: 7 }, profile)).toEqual({ load: 104.7, method: "trimp", trimp: 104.7 });
    expect(sessionLoad({ durationSec: 3600, avgHr: null, rpe: 7 }, profile)).toEqual({ load: 420, method: "session_rpe", trimp: null });
    // HR without the user's resting/max HR falls back to RPE too.
    expect(sessionLoad({ durationSec: 3600, avgHr: 150, rpe: 5 }, { sex: "male" })).toEqual({
      load: 300,
      method: "session_rpe",
      trimp: null,
    });
    expect(sessionLoad({ durationSec: 3600, avgHr: null, rpe: null }, profile)).toBeNull();
  });
});

describe("acute:chronic workload ratio (EWMA 7/28)", () => {
  it("follows the EWMA recurrence", () => {
    // One day of 100 from zero: acute 100·2/8 = 25, chronic 100·2/29 = 6.897.
    expect(ewma([100], 7)).toBeCloseTo(25, 6);
    expect(ewma([100], 28)).toBeCloseTo(6.8966, 3);
    expect(ewma([100, 0], 7)).toBeCloseTo(25 * 0.75, 6);
    expect(workloadRatio([100]).ratio).toBe(3.63);
  });

  it("is about 1 under a steady load and flags a spike above 1.5", () => {
    const steady = workloadRatio(Array(300).fill(50));
    expect(steady.ratio).toBe(1);
    expect(steady.flagged).toBe(false);
    const spike = workloadRatio([...Array(60).fill(40), ...Array(7).fill(120)]);
    expect(spike.ratio!).toBeGreaterThan(1.5);
    expect(spike.flagged).toBe(true);
    const taper = workloadRatio([...Array(60).fill(60), ...Array(7).fill(20)]);
    expect(taper.ratio!).toBeLessThan(1);
    expect(workloadRatio(Array(10).fill(0))).toEqual({ acute: 0, chronic: 0, ratio: null, flagged: false });
  });

  it("totals loads per day, zero on rest days, oldest first", () => {
    const totals = dailyTotals(
      [
        { day: "2026-03-01", load: 10 },
        { day: "2026-03-03", load: 20 },
        { day: "2026-03-03", load: 5 },
        { day: "2026-02-01", load: 99 },
      ],
      "2026-03-03",
      4,
    );
    expect(totals).toEqual([0, 10, 0, 25]);
  });
});

describe("readiness", () => {
  const baseline = [60, 62, 58, 61, 59, 60, 63];

  it("scores HRV against the rolling baseline", () => {
    expect(hrvScore(60, baseline)).toBeGreaterThanOrEqual(45);
    expect(hrvScore(60, baseline)).toBeLessThanOrEqual(55);
    expect(hrvScore(45, baseline)!).toBeLessThan(20);
    expect(hrvScore(75, baseline)!).toBeGreaterThan(80);
    expect(hrvScore(60, [60, 61])).toBeNull();
  });

  it("sleep and soreness scales", () => {
    expect(sleepScore(8)).toBe(100);
    expect(sleepScore(6)).toBe(75);
    expect(sleepScore(11)).toBe(100);
    expect(sorenessScore(1)).toBe(100);
    expect(sorenessScore(10)).toBe(0);
  });

  it("weights the components and re-weights when some are missing", () => {
    const full = readiness({ hrvRmssd: 60, hrvBaseline: baseline, sleepHours: 6, soreness: 1 });
    const hrv = full!.components.hrv!;
    expect(full!.score).toBe(Math.round(hrv * 0.5 + 75 * 0.3 + 100 * 0.2));
    expect(readiness({ hrvRmssd: null, hrvBaseline: [], sleepHours: 6, soreness: 1 })!.score).toBe(
      Math.round((75 * 0.3 + 100 * 0.2) / 0.5),
    );
    expect(readiness({ hrvRmssd: null, hrvBaseline: [], sleepHours: null, soreness: null })).toBeNull();
    // A worse night lowers it.
    const tired = readiness({ hrvRmssd: 48, hrvBaseline: baseline, sleepHours: 5, soreness: 7 });
    expect(tired!.score).toBeLessThan(full!.score);
  });
});
