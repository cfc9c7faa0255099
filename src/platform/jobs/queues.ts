import type { QueueName } from "../module.ts";

/**
 * All three queues share one pg-boss queue, ordered by priority: pg-boss fetches by
 * (priority, created_on), so a worker takes critical work first whenever several queues
 * have jobs waiting, with no per-queue polling. The queue name is kept in the job data too,
 * for metrics, listing and replay.
 */
export const JOBS_QUEUE = "backplane_jobs";
/** Where a job lands after its last attempt, or at once when its payload no longer validates. */
export const DEAD_LETTER_QUEUE = "backplane_dlq";
/** The Postgres schema pg-boss lives in. */
export const QUEUE_SCHEMA = "pgboss";

export const queueNames = ["critical", "default", "bulk"] as const satisfies readonly QueueName[];

export const queuePriority: Record<QueueName, number> = { critical: 10, default: 5, bulk: 1 };

/** What a job row carries in pg-boss's `data` column. */
export interface JobEnvelope {
  job: string;
  queue: QueueName;
  payload: unknown;
  /** On cron schedules (and the jobs they send): the module that declares the schedule, its owner. */
  module?: string;
}

export function isQueueName(value: unknown): value is QueueName {
  return typeof value === "string" && (queueNames as readonly string[]).includes(value);
}
