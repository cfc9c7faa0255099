import { z } from "zod";
import { defineCron, defineJob } from "../../platform/jobs/define-job.ts";
import { asService } from "../../platform/tenancy/with-tenant.ts";
import { deleteOldWebVitals } from "./services/web-vitals.ts";

/** Deletes web-vitals measurements older than WEB_VITALS_RETENTION_DAYS. */
export const webVitalsRetentionJob = defineJob({
  name: "community.web-vitals-retention",
  queue: "bulk",
  payload: z.null().or(z.object({}).strict()).optional(),
  async handler(_payload, { services }) {
    const days = services.config.WEB_VITALS_RETENTION_DAYS;
    const deleted = await asService(services.db, "community: web vitals retention", (tx) => deleteOldWebVitals(tx, days, new Date()));
    if (deleted > 0) services.log.info({ deleted, retentionDays: days }, "old web vitals deleted");
  },
});

export const webVitalsRetentionCron = defineCron({
  name: "community.web-vitals-retention",
  cron: "23 4 * * *",
  job: webVitalsRetentionJob.name,
});
