import { z } from "zod";
import { defineCron, defineJob } from "../../../platform/jobs/define-job.ts";
import type { Cleanup } from "../../../platform/module.ts";
import { asService } from "../../../platform/tenancy/with-tenant.ts";
import { deleteOldLogs } from "../services/list-logs.ts";

/** Deletes workflow log rows older than LOG_RETENTION_DAYS (every org: service context). */
export const logRetentionJob = defineJob({
  name: "workflows.log-retention",
  queue: "bulk",
  payload: z.unknown(),
  handler: async (_payload, { services }) => {
    const deleted = await asService(services.db, "workflow log retention", (tx) =>
      deleteOldLogs(tx, services.config.LOG_RETENTION_DAYS, new Date()),
    );
    if (deleted > 0) services.log.info({ deleted }, "old workflow logs deleted");
  },
});

export const logRetentionCron = defineCron({ name: "workflows.log-retention", cron: "41 2 * * *", job: logRetentionJob.name });

/** The same deletion as a registered cleanup (run by the platform's daily cleanup with the tick's time). */
export const logRetentionCleanup: Cleanup = {
  name: "workflows.logs",
  run: async ({ db, now, config }) => ({
    logs: await asService(db, "cleanup: workflow logs", (tx) => deleteOldLogs(tx, config.LOG_RETENTION_DAYS, now)),
  }),
};
