import { z } from "zod";
import type { AppRouter } from "../../platform/http/app-env.ts";
import { defineCron, defineJob } from "../../platform/jobs/define-job.ts";
import type { PrivacyHandlers, TableDeclaration } from "../../platform/module.ts";
import { asService } from "../../platform/tenancy/with-tenant.ts";
import { deliverNotificationJob } from "./notifications/deliver-notification-job.ts";
import { registerPushDeviceRoutes } from "./notifications/push-device-routes.ts";
import { activityProcessingJob } from "./pipeline/activity-processing-job.ts";
import { syncAnalysisJob } from "./pipeline/sync-analysis-job.ts";
import { registerProviderRoutes } from "./providers/routes/provider-routes.ts";
import { resealTokens } from "./providers/strava-token.ts";
import { tokenKeyRing } from "./providers/token-crypto.ts";
import { GARMIN_BODY_LIMIT, GARMIN_WEBHOOK_PREFIX, registerGarminWebhooks } from "./webhooks/routes/garmin-webhook.ts";
import { registerStravaWebhook, STRAVA_BODY_LIMIT, STRAVA_WEBHOOK_PREFIX } from "./webhooks/routes/strava-webhook.ts";

/**
 * Ingestion (issue 12 items 4-6): vendor webhooks, provider connections, the activity pipeline
 * and notifications. The module (module.ts) lists what this file exports.
 */

const ts = "timestamp with time zone";

export const ingestionTables: TableDeclaration[] = [
  {
    name: "training.provider_connections",
    class: "user",
    columns: {
      id: "text",
      user_id: "text",
      provider: "text",
      external_user_id: "text",
      access_token: "text",
      refresh_token: "text",
      expires_at: ts,
      user_token_digest: "text",
      status: "text",
      connected_at: ts,
      revoked_at: ts,
    },
  },
  {
    name: "training.notification_outbox",
    class: "user",
    columns: { id: "text", user_id: "text", channel: "text", dedupe_key: "text", payload: "jsonb", status: "text", attempts: "integer" },
  },
  { name: "training.push_devices", class: "user", columns: { user_id: "text", expo_push_token: "text", created_at: ts } },
];

/** After BACKPLANE_SECRET changes (the old one in PROVIDER_TOKEN_PREVIOUS_SECRETS): tokens move to the new key. */
export const resealTokensJob = defineJob({
  name: "training.reseal-provider-tokens",
  queue: "bulk",
  payload: z.unknown(),
  handler: async (_payload, { services }) => {
    const { config, db, log } = services;
    const ring = tokenKeyRing(config.BACKPLANE_SECRET, config.PROVIDER_TOKEN_PREVIOUS_SECRETS);
    let moved = 0;
    for (let batch = await asService(db, "training: reseal tokens", (tx) => resealTokens(tx, ring)); batch > 0; ) {
      moved += batch;
      batch = await asService(db, "training: reseal tokens", (tx) => resealTokens(tx, ring));
    }
    if (moved > 0) log.info({ moved }, "provider tokens re-sealed under the current key");
  },
});
export const resealTokensCron = defineCron({ name: "training.reseal-provider-tokens", cron: "41 3 * * *", job: resealTokensJob.name });

export const ingestionJobs = [activityProcessingJob, deliverNotificationJob, resealTokensJob, syncAnalysisJob];
export const ingestionCrons = [resealTokensCron];
export const ingestionIdPrefixes = { pcn: "provider connection", ntf: "notification" };
export const ingestionBodyLimits = { "/webhooks/strava": STRAVA_BODY_LIMIT, [GARMIN_WEBHOOK_PREFIX]: GARMIN_BODY_LIMIT };
export const ingestionSecretPathPrefixes = [STRAVA_WEBHOOK_PREFIX];

export function registerIngestionRoutes(app: AppRouter): void {
  registerStravaWebhook(app);
  registerGarminWebhooks(app);
  registerProviderRoutes(app);
  registerPushDeviceRoutes(app);
}

/** The user's connections (never tokens), notifications and push devices. */
export const ingestionPrivacy: PrivacyHandlers = {
  async export(tx, { userId }) {
    return {
      providerConnections: await tx.query(
        `SELECT provider, external_user_id, scope, status, connected_at, updated_at, revoked_at
         FROM training.provider_connections WHERE user_id = $1 ORDER BY provider`,
        [userId],
      ),
      notifications: await tx.query(
        "SELECT id, channel, payload, status, attempts, created_at, delivered_at FROM training.notification_outbox WHERE user_id = $1 ORDER BY created_at, id",
        [userId],
      ),
      pushDevices: await tx.query("SELECT expo_push_token, created_at FROM training.push_devices WHERE user_id = $1 ORDER BY created_at", [
        userId,
      ]),
    };
  },
  async erase(tx, { userId }) {
    const connections = await tx.query("DELETE FROM training.provider_connections WHERE user_id = $1 RETURNING 1", [userId]);
    const notifications = await tx.query("DELETE FROM training.notification_outbox WHERE user_id = $1 RETURNING 1", [userId]);
    const devices = await tx.query("DELETE FROM training.push_devices WHERE user_id = $1 RETURNING 1", [userId]);
    return { providerConnections: connections.length, notifications: notifications.length, pushDevices: devices.length };
  },
};
