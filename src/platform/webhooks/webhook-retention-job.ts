import { z } from "zod";
import { defineCron, defineJob } from "../jobs/define-job.ts";
import { asService } from "../tenancy/with-tenant.ts";
import { deleteOldWebhookEvents } from "./webhook-events.ts";

/** Deletes inbound webhook events older than WEBHOOK_RETENTION_DAYS. */
export const webhookRetentionJob = defineJob({
  name: "platform.webhook-retention",
  queue: "bulk",
  payload: z.unknown(),
  handler: async (_payload, { services }) => {
    const days = services.config.WEBHOOK_RETENTION_DAYS;
    const deleted = await asService(services.db, "webhook retention", (tx) => deleteOldWebhookEvents(tx, days, new Date()));
    if (deleted > 0) services.log.info({ deleted }, "old webhook events deleted");
  },
});

export const webhookRetentionCron = defineCron({ name: "platform.webhook-retention", cron: "23 3 * * *", job: webhookRetentionJob.name });
