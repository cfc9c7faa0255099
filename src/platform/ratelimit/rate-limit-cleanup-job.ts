import { z } from "zod";
import { defineCron, defineJob } from "../jobs/define-job.ts";

/** Deletes counters whose window ended over an hour ago (the Postgres store; Redis keys expire by themselves). */
export const rateLimitCleanupJob = defineJob({
  name: "platform.rate-limit-cleanup",
  queue: "bulk",
  payload: z.null().or(z.object({}).strict()).optional(),
  async handler(_payload, { services }) {
    const rows = await services.db.query("DELETE FROM backplane.rate_limits WHERE expire < $1 RETURNING key", [Date.now() - 3_600_000]);
    if (rows.length > 0) services.log.debug({ deleted: rows.length }, "expired rate-limit counters deleted");
  },
});

export const rateLimitCleanupCron = defineCron({
  name: "platform.rate-limit-cleanup",
  cron: "*/10 * * * *",
  job: rateLimitCleanupJob.name,
});
