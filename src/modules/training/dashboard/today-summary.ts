import { z } from "zod";
import type { Sql } from "../../../platform/db/database.ts";
import { HRV_BASELINE_DAYS, readiness } from "../load/readiness.ts";
import { dailyTotals, workloadRatio } from "../load/workload-ratio.ts";
import { localDate, RATIO_HISTORY_DAYS } from "../pipeline/analyse.ts";
import { dailyLoads, hrvBaseline, metricsOf, userProfile } from "../pipeline/training-store.ts";

export const todaySummaryInput = z
  .object({
    /** The day to summarise (the user's local date); default today in the user's time zone. */
    date: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD")
      .optional(),
  })
  .strict()
  .optional();

export const todaySummarySchema = z.object({
  date: z.string().describe("The user's local date (YYYY-MM-DD) summarised"),
  timeZone: z.string(),
  scheduledWorkout: z
    .object({
      id: z.string(),
      planId: z.string().nullable(),
      type: z.string().nullable(),
      description: z.string().nullable(),
      targetDistanceMeters: z.number().nullable(),
      targetDurationSec: z.number().int().nullable(),
      status: z.string().nullable(),
      completedActivityId: z.string().nullable(),
    })
    .nullable()
    .describe("Today's workout: the first pending one, else the first of the day"),
  readiness: z
    .object({
      score: z.number().int().min(0).max(100),
      components: z.object({ hrv: z.number().nullable(), sleep: z.number().nullable(), soreness: z.number().nullable() }),
      hrvRmssd: z.number().nullable(),
      sleepHours: z.number().nullable(),
      sorenessScore: z.number().nullable(),
    })
    .nullable()
    .describe("From today's HRV against its 28-day baseline, sleep and soreness; null without any of them"),
  lastActivity: z
    .object({
      id: z.string(),
      source: z.string().nullable(),
      type: z.string().nullable(),
      startTime: z.number().int().describe("Epoch milliseconds"),
      durationSec: z.number().int().nullable(),
      distanceMeters: z.number().nullable(),
      avgHr: z.number().int().nullable(),
      trainingLoad: z.number().nullable(),
      loadMethod: z.enum(["trimp", "session_rpe"]).nullable(),
      trimp: z.number().nullable(),
    })
    .nullable(),
  load7d: z.number().describe("Sum of training load over the 7 days ending today"),
  acuteLoad: z.number().describe("7-day EWMA of daily load"),
  chronicLoad: z.number().describe("28-day EWMA of daily load"),
  acwr: z.number().nullable().describe("acute / chronic; null without chronic load"),
  acwrFlag: z.boolean().describe("acwr > 1.5"),
});
export type TodaySummary = z.infer<typeof todaySummarySchema>;

/** Seed §2.3.1 dashboard.getTodaySummary, in the user's tenant transaction. */
export async function todaySummary(tx: Sql, userId: string, now: Date, date?: string): Promise<TodaySummary> {
  const profile = await userProfile(tx, userId);
  const day = date ?? localDate(now, profile.timeZone);
  const totals = dailyTotals(await dailyLoads(tx, userId, profile.timeZone, day, RATIO_HISTORY_DAYS), day, RATIO_HISTORY_DAYS);
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
  const [workout] = await tx.query<{
    id: string;
    plan_id: string | null;
    type: string | null;
    description: string | null;
    target_distance_meters: number | null;
    target_duration_sec: number | null;
    status: string | null;
    completed_activity_id: string | null;
  }>(
    `SELECT id, plan_id, type, description, target_distance_meters, target_duration_sec, status, completed_activity_id
     FROM training.scheduled_workouts WHERE user_id = $1 AND date = $2
     ORDER BY (coalesce(status, 'pending') = 'pending') DESC, server_created_at, id LIMIT 1`,
    [userId, day],
  );
  const [last] = await tx.query<{
    id: string;
    source: string | null;
    type: string | null;
    start_time: Date | string;
    duration_sec: number | null;
    distance_meters: number | null;
    avg_hr: number | null;
    training_load: number | null;
    load_method: "trimp" | "session_rpe" | null;
    trimp: number | null;
  }>(
    `SELECT id, source, type, start_time, duration_sec, distance_meters, avg_hr, training_load, load_method, trimp
     FROM training.activities WHERE user_id = $1 AND start_time < (($2::date + 1)::timestamp AT TIME ZONE $3)
     ORDER BY start_time DESC, id LIMIT 1`,
    [userId, day, profile.timeZone],
  );
  const round1 = (value: number) => Math.round(value * 10) / 10;
  return {
    date: day,
    timeZone: profile.timeZone,
    scheduledWorkout: workout
      ? {
          id: workout.id,
          planId: workout.plan_id,
          type: workout.type,
          description: workout.description,
          targetDistanceMeters: workout.target_distance_meters,
          targetDurationSec: workout.target_duration_sec,
          status: workout.status,
          completedActivityId: workout.completed_activity_id,
        }
      : null,
    readiness:
      ready && metrics
        ? {
            score: ready.score,
            components: ready.components,
            hrvRmssd: metrics.hrvRmssd,
            sleepHours: metrics.sleepHours,
            sorenessScore: metrics.soreness,
          }
        : null,
    lastActivity: last
      ? {
          id: last.id,
          source: last.source,
          type: last.type,
          startTime: new Date(last.start_time).getTime(),
          durationSec: last.duration_sec,
          distanceMeters: last.distance_meters,
          avgHr: last.avg_hr,
          trainingLoad: last.training_load,
          loadMethod: last.load_method,
          trimp: last.trimp,
        }
      : null,
    load7d: round1(totals.slice(-7).reduce((sum, load) => sum + load, 0)),
    acuteLoad: ratio.acute,
    chronicLoad: ratio.chronic,
    acwr: ratio.ratio,
    acwrFlag: ratio.flagged,
  };
}
