import type { Sql } from "../../../platform/db/database.ts";
import { type LoadMethod, type SessionLoad, type Sex, sessionLoad } from "../load/training-load.ts";
import { settingsOf } from "../services/profile.ts";
import type { ActivityType, NormalizedActivity } from "./normalize.ts";

/**
 * The pipeline's reads and writes of the synced tables (migrations/training/0001). Each write is
 * guarded by IS DISTINCT FROM, so a retry or replay that computes the same values changes no row
 * (and stamps nothing: devices are not told about a change that did not happen).
 */

export interface UserProfile {
  timeZone: string;
  restingHr: number | null;
  maxHr: number | null;
  sex: Sex | null;
}

export async function userProfile(tx: Sql, userId: string): Promise<UserProfile> {
  const settings = await settingsOf(tx, userId);
  return { timeZone: settings.timeZone, restingHr: settings.restingHr, maxHr: settings.maxHr, sex: settings.sex };
}

/** The user's local date of an instant, computed by PostgreSQL in the user's zone. */
const localDay = (column: string, zoneParam: string) => `to_char((${column} AT TIME ZONE ${zoneParam})::date, 'YYYY-MM-DD')`;

export interface SavedActivity {
  id: string;
  created: boolean;
  type: ActivityType;
  startTime: Date;
  durationSec: number;
  distanceMeters: number | null;
  load: SessionLoad | null;
  /** The user's local date of the start. */
  day: string;
  /** Its day before this save (saveActivity only; null when new). */
  previousDay?: string | null;
  timeZone: string;
}

interface ActivityRow {
  id: string;
  created: boolean;
  type: ActivityType;
  start_time: Date | string;
  duration_sec: number | null;
  distance_meters: number | null;
  avg_hr: number | null;
  rpe: number | null;
  day: string;
}

/**
 * save: the vendor's fields into training.activities by (user, source, external_id); an RPE the
 * user entered on the device is kept when the vendor has none. Then load: TRIMP from the day's
 * resting HR (else the settings') and the settings' max HR and sex, or RPE × minutes.
 */
export async function saveActivity(tx: Sql, userId: string, activity: NormalizedActivity): Promise<SavedActivity> {
  const profile = await userProfile(tx, userId);
  // The day it was on before this save: an update that moves it leaves that day to re-analyse.
  const [before] = await tx.query<{ day: string }>(
    `SELECT ${localDay("start_time", "$4")} AS day FROM training.activities WHERE user_id = $1 AND source = $2 AND external_id = $3`,
    [userId, activity.source, activity.externalId, profile.timeZone],
  );
  const [row] = await tx.query<ActivityRow>(
    `WITH upserted AS (
       INSERT INTO training.activities AS a (user_id, source, external_id, type, start_time, duration_sec, distance_meters, avg_hr, max_hr, rpe)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (user_id, source, external_id) DO UPDATE SET type = EXCLUDED.type, start_time = EXCLUDED.start_time,
         duration_sec = EXCLUDED.duration_sec, distance_meters = EXCLUDED.distance_meters, avg_hr = EXCLUDED.avg_hr,
         max_hr = EXCLUDED.max_hr, rpe = coalesce(EXCLUDED.rpe, a.rpe)
       WHERE (a.type, a.start_time, a.duration_sec, a.distance_meters, a.avg_hr, a.max_hr, a.rpe)
         IS DISTINCT FROM (EXCLUDED.type, EXCLUDED.start_time, EXCLUDED.duration_sec, EXCLUDED.distance_meters, EXCLUDED.avg_hr,
                           EXCLUDED.max_hr, coalesce(EXCLUDED.rpe, a.rpe))
       RETURNING a.*, (xmax = 0) AS created
     )
     SELECT id, created, type, start_time, duration_sec, distance_meters, avg_hr, rpe, ${localDay("start_time", "$11")} AS day FROM upserted
     UNION ALL
     SELECT id, false, type, start_time, duration_sec, distance_meters, avg_hr, rpe, ${localDay("start_time", "$11")} FROM training.activities
     WHERE user_id = $1 AND source = $2 AND external_id = $3 AND NOT EXISTS (SELECT 1 FROM upserted)`,
    [
      userId,
      activity.source,
      activity.externalId,
      activity.type,
      activity.startTime,
      activity.durationSec,
      activity.distanceMeters,
      activity.avgHr,
      activity.maxHr,
      activity.rpe,
      profile.timeZone,
    ],
  );
  if (!row) throw new Error(`activity ${activity.source}/${activity.externalId} was neither written nor found`);
  return { ...(await withLoad(tx, userId, profile, row)), previousDay: before?.day ?? null };
}

/**
 * load: TRIMP from the day's resting HR (else the settings') and the settings' max HR and sex,
 * or session RPE × minutes; written only when it differs (a rerun stamps nothing).
 */
async function withLoad(tx: Sql, userId: string, profile: UserProfile, row: ActivityRow): Promise<SavedActivity> {
  const [daily] = await tx.query<{ resting_hr: number | null }>(
    "SELECT resting_hr FROM training.daily_metrics WHERE user_id = $1 AND date <= $2::date AND date > $2::date - 7 AND resting_hr > 0 ORDER BY date DESC LIMIT 1",
    [userId, row.day],
  );
  const load = sessionLoad(
    { durationSec: row.duration_sec, avgHr: row.avg_hr, rpe: row.rpe },
    { restingHr: daily?.resting_hr ?? profile.restingHr ?? undefined, maxHr: profile.maxHr ?? undefined, sex: profile.sex },
  );
  await tx.query(
    `UPDATE training.activities SET trimp = $2, training_load = $3, load_method = $4, analyzed_at = now()
     WHERE id = $1 AND (trimp, training_load, load_method) IS DISTINCT FROM ($2::double precision, $3::double precision, $4::text)`,
    [row.id, load?.trimp ?? null, load?.load ?? null, (load?.method ?? null) satisfies LoadMethod | null],
  );
  return {
    id: row.id,
    created: row.created,
    type: row.type,
    startTime: new Date(row.start_time),
    durationSec: row.duration_sec ?? 0,
    distanceMeters: row.distance_meters,
    load,
    day: row.day,
    timeZone: profile.timeZone,
  };
}

/** The load of a stored activity (one a device pushed), recomputed from its row; null when it is gone. */
export async function loadActivity(tx: Sql, userId: string, activityId: string): Promise<SavedActivity | null> {
  const profile = await userProfile(tx, userId);
  const [row] = await tx.query<ActivityRow>(
    `SELECT id, false AS created, type, start_time, duration_sec, distance_meters, avg_hr, rpe, ${localDay("start_time", "$3")} AS day
     FROM training.activities WHERE user_id = $1 AND id = $2`,
    [userId, activityId, profile.timeZone],
  );
  return row ? withLoad(tx, userId, profile, row) : null;
}

/** Deletes the vendor's activity (the delete trigger writes the sync tombstone); its local day, or null when it was not here. */
export async function tombstoneActivity(tx: Sql, userId: string, source: string, externalId: string): Promise<string | null> {
  const { timeZone } = await userProfile(tx, userId);
  const [row] = await tx.query<{ day: string }>(
    `DELETE FROM training.activities WHERE user_id = $1 AND source = $2 AND external_id = $3 RETURNING ${localDay("start_time", "$4")} AS day`,
    [userId, source, externalId, timeZone],
  );
  return row?.day ?? null;
}

export interface DailyMetricsInput {
  date: string;
  restingHr?: number;
  hrvRmssd?: number;
  sleepHours?: number;
  stressScore?: number;
}

/** Vendor daily values into the day's row (created when the day has none); values not given are kept. */
export async function saveDailyMetrics(tx: Sql, userId: string, input: DailyMetricsInput): Promise<void> {
  await tx.query(
    `INSERT INTO training.daily_metrics AS d (user_id, date, resting_hr, hrv_rmssd, sleep_hours, stress_score)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (user_id, date) DO UPDATE SET resting_hr = coalesce(EXCLUDED.resting_hr, d.resting_hr),
       hrv_rmssd = coalesce(EXCLUDED.hrv_rmssd, d.hrv_rmssd), sleep_hours = coalesce(EXCLUDED.sleep_hours, d.sleep_hours),
       stress_score = coalesce(EXCLUDED.stress_score, d.stress_score)
     WHERE (d.resting_hr, d.hrv_rmssd, d.sleep_hours, d.stress_score) IS DISTINCT FROM
       (coalesce(EXCLUDED.resting_hr, d.resting_hr), coalesce(EXCLUDED.hrv_rmssd, d.hrv_rmssd),
        coalesce(EXCLUDED.sleep_hours, d.sleep_hours), coalesce(EXCLUDED.stress_score, d.stress_score))`,
    [
      userId,
      input.date,
      input.restingHr === undefined ? null : Math.round(input.restingHr),
      input.hrvRmssd ?? null,
      input.sleepHours ?? null,
      input.stressScore === undefined ? null : Math.round(input.stressScore),
    ],
  );
}

/** Each activity's load with its local day, for the `days` days ending at `lastDay`. */
export async function dailyLoads(
  tx: Sql,
  userId: string,
  timeZone: string,
  lastDay: string,
  days: number,
): Promise<{ day: string; load: number }[]> {
  return tx.query<{ day: string; load: number }>(
    `SELECT ${localDay("start_time", "$2")} AS day, training_load AS load FROM training.activities
     WHERE user_id = $1 AND training_load IS NOT NULL
       AND start_time >= (($3::date - $4::int + 1)::timestamp AT TIME ZONE $2)
       AND start_time < (($3::date + 1)::timestamp AT TIME ZONE $2)`,
    [userId, timeZone, lastDay, days],
  );
}

export interface DayMetrics {
  id: string;
  hrvRmssd: number | null;
  sleepHours: number | null;
  /** 1 (none) … 10 (very sore), as the app records it. */
  soreness: number | null;
  restingHr: number | null;
}

export async function metricsOf(tx: Sql, userId: string, day: string): Promise<DayMetrics | null> {
  const [row] = await tx.query<{
    id: string;
    hrv_rmssd: number | null;
    sleep_hours: number | null;
    soreness_score: number | null;
    resting_hr: number | null;
  }>("SELECT id, hrv_rmssd, sleep_hours, soreness_score, resting_hr FROM training.daily_metrics WHERE user_id = $1 AND date = $2", [
    userId,
    day,
  ]);
  if (!row) return null;
  const soreness = row.soreness_score === null ? null : Math.min(10, Math.max(1, row.soreness_score));
  return { id: row.id, hrvRmssd: row.hrv_rmssd, sleepHours: row.sleep_hours, soreness, restingHr: row.resting_hr };
}

/** rMSSD readings of the `days` days before `day`. */
export async function hrvBaseline(tx: Sql, userId: string, day: string, days: number): Promise<number[]> {
  const rows = await tx.query<{ hrv_rmssd: number }>(
    "SELECT hrv_rmssd FROM training.daily_metrics WHERE user_id = $1 AND date < $2::date AND date >= $2::date - $3::int AND hrv_rmssd > 0",
    [userId, day, days],
  );
  return rows.map((row) => row.hrv_rmssd);
}

export interface DayAnalysisValues {
  acuteLoad: number;
  chronicLoad: number;
  acwr: number | null;
  acwrFlag: boolean;
  readiness: number | null;
}

/** The day's analysis into its daily_metrics row (created for a day with training but no metrics yet). */
export async function writeDayAnalysis(tx: Sql, userId: string, day: string, values: DayAnalysisValues): Promise<void> {
  await tx.query(
    `INSERT INTO training.daily_metrics AS d (user_id, date, acute_load, chronic_load, acwr, acwr_flag, readiness_score, analyzed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now())
     ON CONFLICT (user_id, date) DO UPDATE SET acute_load = EXCLUDED.acute_load, chronic_load = EXCLUDED.chronic_load,
       acwr = EXCLUDED.acwr, acwr_flag = EXCLUDED.acwr_flag, readiness_score = EXCLUDED.readiness_score, analyzed_at = now()
     WHERE (d.acute_load, d.chronic_load, d.acwr, d.acwr_flag, d.readiness_score)
       IS DISTINCT FROM (EXCLUDED.acute_load, EXCLUDED.chronic_load, EXCLUDED.acwr, EXCLUDED.acwr_flag, EXCLUDED.readiness_score)`,
    [userId, day, values.acuteLoad, values.chronicLoad, values.acwr, values.acwrFlag, values.readiness],
  );
}

/** Days after `day` (at most `days` after it) that have a stored analysis, in order. */
export async function laterAnalysedDays(tx: Sql, userId: string, day: string, days: number): Promise<string[]> {
  const rows = await tx.query<{ day: string }>(
    `SELECT to_char(date, 'YYYY-MM-DD') AS day FROM training.daily_metrics
     WHERE user_id = $1 AND date > $2::date AND date <= $2::date + $3::int ORDER BY date`,
    [userId, day, days],
  );
  return rows.map((row) => row.day);
}

/** A workout this activity completed on another day than `day` (the activity moved): pending again. */
export async function releaseWorkoutsElsewhere(tx: Sql, userId: string, activityId: string, day: string): Promise<void> {
  await tx.query(
    `UPDATE training.scheduled_workouts SET status = 'pending', completed_activity_id = NULL
     WHERE user_id = $1 AND completed_activity_id = $2 AND date <> $3::date`,
    [userId, activityId, day],
  );
}

/** Workout types an activity of each sport completes (scheduled_workouts.type). */
export const workoutTypesFor: Record<ActivityType, readonly string[]> = {
  run: ["long_run", "interval", "tempo", "easy", "recovery", "race"],
  cycle: ["cross_training"],
  swim: ["cross_training"],
};

/**
 * The day's pending workout this activity completes (one; the earliest-created matching type),
 * marked completed with the activity's id. Already done for this activity (a retry): that one.
 */
export async function completeScheduledWorkout(
  tx: Sql,
  userId: string,
  day: string,
  type: ActivityType,
  activityId: string,
): Promise<string | null> {
  const [done] = await tx.query<{ id: string }>(
    "SELECT id FROM training.scheduled_workouts WHERE user_id = $1 AND completed_activity_id = $2 LIMIT 1",
    [userId, activityId],
  );
  if (done) return done.id;
  const [marked] = await tx.query<{ id: string }>(
    `UPDATE training.scheduled_workouts SET status = 'completed', completed_activity_id = $4
     WHERE id = (SELECT id FROM training.scheduled_workouts
                 WHERE user_id = $1 AND date = $2 AND coalesce(status, 'pending') = 'pending' AND type = ANY($3::text[])
                 ORDER BY server_created_at, id LIMIT 1 FOR UPDATE)
     RETURNING id`,
    [userId, day, workoutTypesFor[type], activityId],
  );
  return marked?.id ?? null;
}
