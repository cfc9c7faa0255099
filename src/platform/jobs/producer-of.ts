import type { PgBoss } from "pg-boss";
import { AppError } from "../http/errors.ts";
import type { JobQueue } from "../module.ts";
import type { OpenedJobQueue } from "./open-job-queue.ts";

/**
 * The pg-boss handle behind `services.jobs`, for platform code that needs more than enqueue
 * (dead-letter replay). Started on first use and shared by the process: loading pg-boss is boot
 * CPU that an API process which never replays does not pay.
 */
export async function producerOf(jobs: JobQueue): Promise<PgBoss> {
  const producer = (jobs as Partial<OpenedJobQueue>).producer;
  if (!jobs.enabled || !producer) throw new AppError("service_unavailable", "Jobs are disabled (JOBS_ENABLED=false)");
  return producer();
}
