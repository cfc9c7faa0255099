import { z } from "zod";
import { defineCron, defineJob } from "../jobs/define-job.ts";
import { asService } from "../tenancy/with-tenant.ts";
import { deleteExpiredIdempotencyKeys } from "./idempotency-store.ts";

/** Deletes Idempotency-Key records past IDEMPOTENCY_TTL_HOURS. */
export const idempotencyCleanupJob = defineJob({
  name: "platform.idempotency-cleanup",
  queue: "bulk",
  payload: z.unknown(),
  handler: async (_payload, { services }) => {
    const deleted = await asService(services.db, "idempotency cleanup", (tx) => deleteExpiredIdempotencyKeys(tx, new Date()));
    if (deleted > 0) services.log.info({ deleted }, "expired idempotency keys deleted");
  },
});

export const idempotencyCleanupCron = defineCron({
  name: "platform.idempotency-cleanup",
  cron: "17 * * * *",
  job: idempotencyCleanupJob.name,
});
