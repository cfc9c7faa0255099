import type { PrivacyHandlers } from "../../platform/module.ts";

const instant = (column: string) => `round(extract(epoch FROM ${column}) * 1000)::bigint`;

/**
 * The user's training data (settings, activities with their streams, daily metrics, plans,
 * workouts). Erasing deletes every row (sync tombstones and the change clock included) before
 * the platform deletes the user.
 */
export const trainingPrivacy: PrivacyHandlers = {
  async export(tx, { userId }) {
    const [profile] = await tx.query<{ settings: unknown }>("SELECT settings FROM training.profiles WHERE user_id = $1", [userId]);
    const all = (sql: string) => tx.query(sql, [userId]);
    return {
      settings: profile?.settings ?? null,
      activities: await all(
        `SELECT id, external_id, source, type, ${instant("start_time")} AS start_time, duration_sec, distance_meters, avg_hr, max_hr,
                data_stream, rpe, ${instant("created_at")} AS created_at, trimp, training_load, load_method
         FROM training.activities WHERE user_id = $1 ORDER BY start_time, id`,
      ),
      dailyMetrics: await all(
        `SELECT id, to_char(date, 'YYYY-MM-DD') AS date, resting_hr, hrv_rmssd, sleep_hours, soreness_score, stress_score,
                readiness_score, acute_load, chronic_load, acwr, acwr_flag
         FROM training.daily_metrics WHERE user_id = $1 ORDER BY date`,
      ),
      trainingPlans: await all(
        "SELECT id, to_char(goal_race_date, 'YYYY-MM-DD') AS goal_race_date, current_phase FROM training.training_plans WHERE user_id = $1 ORDER BY id",
      ),
      scheduledWorkouts: await all(
        `SELECT id, plan_id, to_char(date, 'YYYY-MM-DD') AS date, type, description, target_distance_meters, target_duration_sec, status
         FROM training.scheduled_workouts WHERE user_id = $1 ORDER BY date, id`,
      ),
    };
  },
  async erase(tx, { userId }) {
    const counts: Record<string, number> = {};
    for (const table of ["scheduled_workouts", "training_plans", "activities", "daily_metrics"]) {
      counts[table] = (await tx.query(`DELETE FROM training.${table} WHERE user_id = $1 RETURNING 1`, [userId])).length;
    }
    // The deletes above wrote tombstones and advanced the clock: nobody is left to pull them.
    await tx.query("DELETE FROM training.sync_tombstones WHERE user_id = $1", [userId]);
    await tx.query("DELETE FROM training.sync_clocks WHERE user_id = $1", [userId]);
    counts.profiles = (await tx.query("DELETE FROM training.profiles WHERE user_id = $1 RETURNING 1", [userId])).length;
    return counts;
  },
};
