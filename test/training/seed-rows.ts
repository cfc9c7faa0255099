import type { Database } from "../../src/platform/db/database.ts";

/** One row of `userId` in every training table (the platform's row-level security loop needs rows to hide). */
export async function seedTrainingRows(db: Database, userId: string): Promise<void> {
  await db.query("INSERT INTO training.profiles (user_id, settings) VALUES ($1, '{}')", [userId]);
  await db.query("INSERT INTO training.activities (user_id, source, type, start_time) VALUES ($1, 'manual', 'run', now())", [userId]);
  await db.query("INSERT INTO training.daily_metrics (user_id, date) VALUES ($1, current_date)", [userId]);
  const [plan] = await db.query<{ id: string }>("INSERT INTO training.training_plans (user_id) VALUES ($1) RETURNING id", [userId]);
  await db.query("INSERT INTO training.scheduled_workouts (user_id, plan_id, date) VALUES ($1, $2, current_date)", [userId, plan?.id]);
  // A deletion leaves a tombstone (and every write above advanced the user's sync clock).
  await db.query("INSERT INTO training.training_plans (id, user_id) VALUES ('rlsDeletedPlan00', $1)", [userId]);
  await db.query("DELETE FROM training.training_plans WHERE id = 'rlsDeletedPlan00'");
  // Ingestion: a provider connection, a notification and a push device.
  await db.query("INSERT INTO training.provider_connections (id, user_id, provider, external_user_id) VALUES ($1, $2, 'garmin', $3)", [
    `pcn_rls${userId.replace(/[^0-9a-z]/g, "")}`,
    userId,
    `garmin-${userId}`,
  ]);
  await db.query(
    "INSERT INTO training.notification_outbox (id, user_id, channel, dedupe_key, payload) VALUES ($1, $2, 'webhook', $3, '{}')",
    [`ntf_rls${userId.replace(/[^0-9a-z]/g, "")}`, userId, `rls:${userId}`],
  );
  await db.query("INSERT INTO training.push_devices (user_id, expo_push_token) VALUES ($1, 'ExponentPushToken[rlsxxxxxxxxxxxxxxx]')", [
    userId,
  ]);
}
