import type { Catalog } from "./catalog.ts";
import { signInCodeJob } from "./identity/sign-in-code-job.ts";
import { sendEmailJob } from "./mail/send-email-job.ts";
import type { BackplaneModule } from "./module.ts";
import { catalogJobs } from "./privacy/privacy-jobs.ts";
import { rateLimitCleanupCron, rateLimitCleanupJob } from "./ratelimit/rate-limit-cleanup-job.ts";

/**
 * The platform's own jobs and crons, run by every worker: mail, the privacy export and delete,
 * the daily cleanup (every registered cleanup: sessions, codes, idempotency keys, webhook events,
 * audit events, the modules' own) and the metrics collection. Rate-limit counters keep their own
 * 10-minute cron: under a flood of sign-ins they cannot wait for the daily run.
 */
export function platformJobsFor(catalog: Catalog): Pick<BackplaneModule, "name" | "jobs" | "crons"> {
  const bound = catalogJobs(catalog);
  return {
    name: "platform",
    jobs: [sendEmailJob, signInCodeJob, rateLimitCleanupJob, ...bound.jobs],
    crons: [rateLimitCleanupCron, ...bound.crons],
  };
}
