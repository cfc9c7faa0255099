import type { Config } from "../../../platform/config/config.ts";
import type { Sql } from "../../../platform/db/database.ts";
import { newId } from "../../../platform/ids.ts";
import type { JobQueue } from "../../../platform/module.ts";
import { deliverNotificationJob } from "./deliver-notification-job.ts";

export type NotificationChannel = "expo" | "webhook";

export interface Notification {
  userId: string;
  /** `activity.analyzed`, … */
  type: string;
  /** Same key, same notification: a pipeline re-run or replay adds nothing. */
  key: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
}

/**
 * In the caller's transaction: one outbox row per channel that can reach the user (Expo when they
 * opted in and registered a device, the signed webhook when configured) and its delivery job. Returns the ids
 * of rows added now (an existing key adds none).
 */
export async function notify(tx: Sql, jobs: JobQueue, config: Config, notification: Notification): Promise<string[]> {
  const channels: NotificationChannel[] = [];
  // Push only with the user's opt-in (settings.notificationsEnabled) and a registered device.
  const [device] = await tx.query(
    `SELECT 1 FROM training.push_devices d JOIN training.profiles p ON p.user_id = d.user_id
     WHERE d.user_id = $1 AND (p.settings->>'notificationsEnabled')::boolean IS TRUE LIMIT 1`,
    [notification.userId],
  );
  if (device) channels.push("expo");
  if (config.TRAINING_NOTIFY_WEBHOOK_URL && config.TRAINING_NOTIFY_WEBHOOK_SECRET) channels.push("webhook");
  const added: string[] = [];
  for (const channel of channels) {
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO training.notification_outbox (id, user_id, channel, dedupe_key, payload) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
      [
        newId("ntf"),
        notification.userId,
        channel,
        `${notification.key}:${channel}`,
        JSON.stringify({ type: notification.type, title: notification.title, body: notification.body, data: notification.data }),
      ],
    );
    if (!row) continue;
    await jobs.enqueue(deliverNotificationJob, { notificationId: row.id }, { tx });
    added.push(row.id);
  }
  return added;
}
