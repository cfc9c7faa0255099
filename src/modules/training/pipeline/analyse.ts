import type { Sql } from "../../../platform/db/database.ts";
import type { Services } from "../../../platform/module.ts";
import { HRV_BASELINE_DAYS, readiness } from "../load/readiness.ts";
import { dailyTotals, type WorkloadRatio, workloadRatio } from "../load/workload-ratio.ts";
import { notify } from "../notifications/outbox.ts";
import {
  completeScheduledWorkout,
  dailyLoads,
  hrvBaseline,
  laterAnalysedDays,
  metricsOf,
  releaseWorkoutsElsewhere,
  type SavedActivity,
  userProfile,
  writeDayAnalysis,
} from "./training-store.ts";

/** Days of loads fed to the EWMAs: (1 − 2/29)^90 < 0.2 %: the start-from-zero bias is gone. */
export const RATIO_HISTORY_DAYS = 90;

/** The user's local calendar date of an instant. */
export function localDate(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
}

export interface DayAnalysis {
  day: string;
  dayLoad: number;
  ratio: WorkloadRatio;
  readiness: number | null;
}

/**
 * Re-analyses one day from what is stored (so running it twice gives the same row): its load,
 * the EWMA acute:chronic ratio and its > 1.5 flag, and readiness from that day's HRV against the
 * 28 days before it, sleep and soreness. Written to the day's daily_metrics row (the server-owned
 * columns; the row is created for a day that has none).
 */
export async function reanalyseDay(tx: Sql, userId: string, day: string): Promise<DayAnalysis> {
  const profile = await userProfile(tx, userId);
  const loads = await dailyLoads(tx, userId, profile.timeZone, day, RATIO_HISTORY_DAYS);
  const totals = dailyTotals(loads, day, RATIO_HISTORY_DAYS);
  const ratio = workloadRatio(totals);
  const metrics = await metricsOf(tx, userId, day);
  const ready = metrics
    ? readiness({
        hrvRmssd: metrics.hrvRmssd,
        hrvBaseline: await hrvBaseline(tx, userId, day, HRV_BASELINE_DAYS),
        sleepHours: metrics.sleepHours,
        soreness: metrics.soreness,
      })
    : null;
  await writeDayAnalysis(tx, userId, day, {
    acuteLoad: ratio.acute,
    chronicLoad: ratio.chronic,
    acwr: ratio.ratio,
    acwrFlag: ratio.flagged,
    readiness: ready?.score ?? null,
  });
  return { day, dayLoad: totals.at(-1) ?? 0, ratio, readiness: ready?.score ?? null };
}

/**
 * Re-analyses `day` and every later day with a stored analysis: acute/chronic load and ACWR are
 * rolling (EWMAs) and readiness compares HRV with the days before, so a change on one day moves
 * the days after it. Bounded to RATIO_HISTORY_DAYS after it: beyond that a day weighs < 0.2 %.
 */
export async function reanalyseFrom(tx: Sql, userId: string, day: string): Promise<DayAnalysis> {
  const first = await reanalyseDay(tx, userId, day);
  for (const later of await laterAnalysedDays(tx, userId, day, RATIO_HISTORY_DAYS)) await reanalyseDay(tx, userId, later);
  return first;
}

const sportName = { run: "Run", cycle: "Ride", swim: "Swim" } as const;

function describe(activity: SavedActivity, analysis: DayAnalysis): string {
  const parts: string[] = [];
  if (activity.distanceMeters !== null) parts.push(`${(activity.distanceMeters / 1000).toFixed(1)} km`);
  parts.push(`${Math.round(activity.durationSec / 60)} min`);
  if (activity.load) parts.push(`load ${Math.round(activity.load.load)} (${activity.load.method === "trimp" ? "TRIMP" : "RPE × min"})`);
  if (analysis.ratio.ratio !== null)
    parts.push(`ACWR ${analysis.ratio.ratio.toFixed(2)}${analysis.ratio.flagged ? " — above 1.5, ease off" : ""}`);
  return parts.join(" · ");
}

/**
 * After an activity is saved: re-analyse its day (and its old day when it moved) through the
 * later days, mark the day's matching scheduled workout
 * completed, and queue "New <Run> Analyzed" once per activity.
 */
export async function analyseAndNotify(tx: Sql, services: Services, userId: string, activity: SavedActivity): Promise<DayAnalysis> {
  // Moved to another day: the old day (and the days after it) lose its load, its workout is pending again.
  await releaseWorkoutsElsewhere(tx, userId, activity.id, activity.day);
  const moved = activity.previousDay && activity.previousDay < activity.day ? activity.previousDay : null;
  if (moved) await reanalyseFrom(tx, userId, moved);
  const analysis = await reanalyseFrom(tx, userId, activity.day);
  if (activity.previousDay && activity.previousDay > activity.day) await reanalyseFrom(tx, userId, activity.previousDay);
  const workoutId = await completeScheduledWorkout(tx, userId, activity.day, activity.type, activity.id);
  await notify(tx, services.jobs, services.config, {
    userId,
    type: "activity.analyzed",
    key: `activity.analyzed:${activity.id}`,
    title: `New ${sportName[activity.type]} Analyzed`,
    body: describe(activity, analysis),
    data: {
      activityId: activity.id,
      activityType: activity.type,
      date: activity.day,
      trainingLoad: activity.load?.load ?? null,
      loadMethod: activity.load?.method ?? null,
      acwr: analysis.ratio.ratio,
      acwrFlagged: analysis.ratio.flagged,
      readiness: analysis.readiness,
      completedWorkoutId: workoutId,
    },
  });
  return analysis;
}
