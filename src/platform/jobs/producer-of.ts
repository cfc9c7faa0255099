import type { PgBoss } from "pg-boss";
import { AppError } from "../http/errors.ts";
import type { JobQueue } from "../module.ts";

/** The pg-boss handle behind `services.jobs`, for platform code that needs more than enqueue. */
export function producerOf(jobs: JobQueue): PgBoss {
  const boss = (jobs as { boss?: PgBoss | null }).boss;
  if (!jobs.enabled || !boss) throw new AppError("service_unavailable", "Jobs are disabled (JOBS_ENABLED=false)");
  return boss;
}
