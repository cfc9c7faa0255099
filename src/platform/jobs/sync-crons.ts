import type { PgBoss } from "pg-boss";
import type { Config } from "../config/config.ts";
import type { JobRegistry } from "./job-registry.ts";
import { payloadError } from "./open-job-queue.ts";
import { JOBS_QUEUE, type JobEnvelope } from "./queues.ts";
import { sendOptionsFor } from "./send-options.ts";

/**
 * Stores each cron schedule in pg-boss (an upsert keyed by the cron's name) and removes schedules
 * no module declares any more. pg-boss's cron pass is claimed by one instance at a time and each
 * tick is sent under a per-minute throttle key, so a tick runs once however many workers there are.
 */
export async function syncCrons(boss: PgBoss, registry: JobRegistry, config: Config): Promise<void> {
  const wanted = new Set<string>();
  for (const cron of registry.crons) {
    const job = registry.get(cron.job);
    if (!job) throw new Error(`Cron schedule ${cron.name} names unknown job ${cron.job}`);
    const parsed = job.payload.safeParse(cron.payload);
    if (!parsed.success) throw payloadError(`${job.name} (cron ${cron.name})`, parsed.error);
    const data: JobEnvelope = { job: job.name, queue: job.queue, payload: cron.payload ?? null };
    await boss.schedule(JOBS_QUEUE, cron.cron, data, { ...sendOptionsFor(job, config), tz: cron.timeZone ?? "UTC", key: cron.name });
    wanted.add(cron.name);
  }
  for (const schedule of await boss.getSchedules(JOBS_QUEUE)) {
    if (!wanted.has(schedule.key)) await boss.unschedule(JOBS_QUEUE, schedule.key);
  }
}
