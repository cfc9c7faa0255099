import { z } from "zod";
import { defineJob } from "../../../platform/jobs/define-job.ts";
import { asService, withTenant } from "../../../platform/tenancy/with-tenant.ts";
import { postSignedWebhook } from "./signed-webhook.ts";

export const NOTIFICATION_RETRIES = 5;

interface OutboxRow {
  id: string;
  user_id: string;
  channel: "expo" | "webhook";
  status: string;
  created_at: Date | string;
  payload: { type: string; title: string; body: string; data: Record<string, unknown> };
}

/**
 * Delivers one outbox row. A failure (the service down, a 5xx, a timeout) is thrown so the job is
 * retried with backoff, NOTIFICATION_RETRIES times; the row records each attempt and ends
 * `delivered`, or `failed` after the last one. A delivered row is never sent again.
 */
export const deliverNotificationJob = defineJob({
  name: "training.deliver-notification",
  queue: "default",
  payload: z.object({ notificationId: z.string() }),
  retry: { limit: NOTIFICATION_RETRIES, maxDelaySeconds: 300 },
  timeoutSeconds: 120,
  handler: async ({ notificationId }, { services, attempt, signal }) => {
    const { db, config } = services;
    // The row names its user; the rest runs in that user's tenant transaction.
    const [found] = await asService(db, "training: notification lookup", (tx) =>
      tx.query<{ user_id: string }>("SELECT user_id FROM training.notification_outbox WHERE id = $1", [notificationId]),
    );
    if (!found) return;
    const tenant = { orgId: null, userId: found.user_id, principal: "job:training.deliver-notification" };
    const [row] = await withTenant(db, tenant, (tx) =>
      tx.query<OutboxRow>(
        "UPDATE training.notification_outbox SET attempts = attempts + 1 WHERE id = $1 AND status = 'pending' RETURNING *",
        [notificationId],
      ),
    );
    if (!row) return;
    const finish = (status: "delivered" | "failed" | "skipped", error: string | null) =>
      withTenant(db, tenant, (tx) =>
        tx.query(
          `UPDATE training.notification_outbox SET status = $2, last_error = $3, delivered_at = CASE WHEN $2 = 'delivered' THEN now() END
           WHERE id = $1`,
          [notificationId, status, error],
        ),
      );
    try {
      if (row.channel === "webhook") {
        if (!config.TRAINING_NOTIFY_WEBHOOK_URL || !config.TRAINING_NOTIFY_WEBHOOK_SECRET)
          return void (await finish("skipped", "webhook not configured"));
        const body = JSON.stringify({
          type: row.payload.type,
          timestamp: new Date(row.created_at).toISOString(),
          data: { userId: row.user_id, title: row.payload.title, body: row.payload.body, ...row.payload.data },
        });
        await postSignedWebhook(config.TRAINING_NOTIFY_WEBHOOK_URL, config.TRAINING_NOTIFY_WEBHOOK_SECRET, {
          id: row.id,
          body,
          timeoutMs: config.OUTBOUND_TIMEOUT_MS,
          signal,
        });
        return void (await finish("delivered", null));
      }
      const tokens = await withTenant(db, tenant, (tx) =>
        tx.query<{ expo_push_token: string }>("SELECT expo_push_token FROM training.push_devices WHERE user_id = $1", [row.user_id]),
      );
      if (tokens.length === 0) return void (await finish("skipped", "no push device registered"));
      // expo-server-sdk (over 1 MB of code) is loaded by the first push, not by every process at boot.
      const { expoClient, sendExpoPush } = await import("./expo-push.ts");
      const outcome = await sendExpoPush(
        expoClient(config.EXPO_PUSH_URL, config.EXPO_ACCESS_TOKEN),
        tokens.map((token) => token.expo_push_token),
        { title: row.payload.title, body: row.payload.body, data: { type: row.payload.type, ...row.payload.data }, sound: "default" },
      );
      if (outcome.deadTokens.length > 0) {
        await withTenant(db, tenant, (tx) =>
          tx.query("DELETE FROM training.push_devices WHERE user_id = $1 AND expo_push_token = ANY($2::text[])", [
            row.user_id,
            outcome.deadTokens,
          ]),
        );
      }
      await finish(outcome.sent > 0 ? "delivered" : "failed", outcome.errors.join("; ").slice(0, 2000) || null);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const last = attempt > NOTIFICATION_RETRIES;
      await withTenant(db, tenant, (tx) =>
        tx.query(
          "UPDATE training.notification_outbox SET last_error = $2, status = CASE WHEN $3 THEN 'failed' ELSE status END WHERE id = $1",
          [notificationId, message.slice(0, 2000), last],
        ),
      );
      throw error;
    }
  },
});
