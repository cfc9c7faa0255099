import { auditRetentionCron, auditRetentionJob } from "./audit/audit-retention-job.ts";
import { idempotencyCleanupCron, idempotencyCleanupJob } from "./idempotency/idempotency-cleanup-job.ts";
import { identityCleanupCron, identityCleanupJob } from "./identity/identity-cleanup-job.ts";
import { signInCodeJob } from "./identity/sign-in-code-job.ts";
import { sendEmailJob } from "./mail/send-email-job.ts";
import type { BackplaneModule } from "./module.ts";
import { rateLimitCleanupCron, rateLimitCleanupJob } from "./ratelimit/rate-limit-cleanup-job.ts";
import { webhookRetentionCron, webhookRetentionJob } from "./webhooks/webhook-retention-job.ts";

/** The platform's own jobs and crons (housekeeping every deployment needs), run by every worker. */
export const platformJobs: Pick<BackplaneModule, "name" | "jobs" | "crons"> = {
  name: "platform",
  jobs: [
    auditRetentionJob,
    sendEmailJob,
    idempotencyCleanupJob,
    signInCodeJob,
    identityCleanupJob,
    rateLimitCleanupJob,
    webhookRetentionJob,
  ],
  crons: [auditRetentionCron, idempotencyCleanupCron, identityCleanupCron, rateLimitCleanupCron, webhookRetentionCron],
};
