import type { PgBoss } from "pg-boss";
import type { Config } from "../config/config.ts";
import type { JobRegistry } from "./job-registry.ts";
import { payloadError } from "./open-job-queue.ts";
import { JOBS_QUEUE, type JobEnvelope } from "./queues.ts";
import { sendOptionsFor } from "./send-options.ts";

/**
 * Stores each cron schedule in pg-boss (an upsert keyed by the cron's name, recording the module
 * that declares it) and removes the schedules this worker owns but no longer declares. A worker
 * owns the schedules of the modules it runs: workers with different module sets side by side (a
 * rolling deploy, or workers split by module) leave each other's schedules alone. A schedule
 * written before owners were recorded belongs to the module of its job; one whose module no
 * worker runs any more stays until removed by hand (docs/jobs.md). pg-boss's cron pass is
 * claimed by one instance at a time and each tick is sent under a per-minute throttle key, so a
 * tick runs once however many workers there are.
 */
export async function syncCrons(boss: PgBoss, registry: JobRegistry, config: Config): Promise<void> {
  const wanted = new Set<string>();
  for (const cron of registry.crons) {
    const job = registry.get(cron.job);
    if (!job) throw new Error(`Cron schedule ${cron.name} names unknown job ${cron.job}`);
    const parsed = job.payload.safeParse(cron.payload);
    if (!parsed.success) throw payloadError(`${job.name} (cron ${cron.name})`, parsed.error);
    const data: JobEnvelope = { job: job.name, queue: job.queue, payload: cron.payload ?? null, module: cron.module };
    await boss.schedule(JOBS_QUEUE, cron.cron, data, { ...sendOptionsFor(job, config), tz: cron.timeZone ?? "UTC", key: cron.name });
    wanted.add(cron.name);
  }
  const runs = new Set(registry.modules);
  for (const schedule of await boss.getSchedules(JOBS_QUEUE)) {
    if (wanted.has(schedule.key)) continue;
    const owner = ownerOf(schedule.data as Partial<JobEnvelope> | null, registry);
    if (owner !== undefined && runs.has(owner)) await boss.unschedule(JOBS_QUEUE, schedule.key);
  }
}

function ownerOf(data: Partial<JobEnvelope> | null, registry: JobRegistry): string | undefined {
  if (typeof data?.module === "string") return data.module;
  return typeof data?.job === "string" ? registry.moduleOfJob(data.job) : undefined;
}
