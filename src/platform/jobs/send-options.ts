import type { SendOptions } from "pg-boss";
// pg-boss's own checks of send()'s options (light: plans.js and its clock, no cron-parser).
import { checkSendArgs } from "pg-boss/dist/attorney.js";
import type { Config } from "../config/config.ts";
import type { JobDefinition } from "../module.ts";
import { JOBS_QUEUE, queuePriority } from "./queues.ts";

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
  // What pg-boss's send refuses (a timeout of 0 or over 24 h, a delay cap without backoff, …) is
  // refused here, with its message, before any path writes pg-boss's insert itself. Once per job:
  // the settings come from its definition (and the config, whose ranges lie within pg-boss's).
  if (!checked.has(job)) {
    checkSendArgs([JOBS_QUEUE, null, options]);
    checked.add(job);
  }
  return options;
}

const checked = new WeakSet<JobDefinition<unknown>>();
