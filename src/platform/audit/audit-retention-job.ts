import { z } from "zod";
import { defineCron, defineJob } from "../jobs/define-job.ts";
import { deleteExpiredAuditEvents } from "./list-audit-events.ts";

/** Deletes audit events older than AUDIT_RETENTION_DAYS. Cross-tenant by nature: a service task. */
export const auditRetentionJob = defineJob({
  name: "platform.audit-retention",
  queue: "bulk",
  payload: z.null().or(z.object({}).strict()).optional(),
  async handler(_payload, { services }) {
    const deleted = await deleteExpiredAuditEvents(services.db, services.config.AUDIT_RETENTION_DAYS, new Date());
    if (deleted > 0) services.log.info({ deleted, retentionDays: services.config.AUDIT_RETENTION_DAYS }, "expired audit events deleted");
  },
});

export const auditRetentionCron = defineCron({ name: "platform.audit-retention", cron: "17 3 * * *", job: auditRetentionJob.name });
