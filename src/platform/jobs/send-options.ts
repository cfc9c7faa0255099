import type { SendOptions } from "pg-boss";
import type { Config } from "../config/config.ts";
import type { JobDefinition } from "../module.ts";
import { queuePriority } from "./queues.ts";

export const DEFAULT_RETRY_LIMIT = 3;
export const DEFAULT_TIMEOUT_SECONDS = 15 * 60;

/** A job's row settings: its queue's priority and its retry policy (platform defaults where unset). */
export function sendOptionsFor(job: JobDefinition<unknown>, config: Config): SendOptions {
  const options: SendOptions = {
    priority: queuePriority[job.queue],
    retryLimit: job.retry?.limit ?? DEFAULT_RETRY_LIMIT,
    retryDelay: job.retry?.delaySeconds ?? config.JOBS_RETRY_DELAY_SECONDS,
    retryBackoff: job.retry?.backoff ?? true,
    expireInSeconds: job.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    heartbeatSeconds: config.JOBS_HEARTBEAT_SECONDS,
    deleteAfterSeconds: config.JOBS_KEEP_COMPLETED_HOURS * 3600,
  };
  if (job.retry?.maxDelaySeconds !== undefined) options.retryDelayMax = job.retry.maxDelaySeconds;
  return options;
}
