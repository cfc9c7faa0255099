import type { BackplaneModule, CronSchedule, JobDefinition } from "../module.ts";
import { platformJobs } from "../platform-jobs.ts";

export interface JobRegistry {
  get(name: string): JobDefinition<unknown> | undefined;
  readonly jobs: JobDefinition<unknown>[];
  readonly crons: CronSchedule[];
}

/**
 * Every job and cron of the platform and the selected modules; a name used twice, or a cron
 * naming no job, stops boot.
 */
export function jobRegistry(modules: BackplaneModule[]): JobRegistry {
  const jobs = new Map<string, JobDefinition<unknown>>();
  const crons = new Map<string, CronSchedule>();
  for (const module of [platformJobs, ...modules]) {
    for (const job of (module.jobs ?? []) as JobDefinition<unknown>[]) {
      if (jobs.has(job.name)) throw new Error(`Job ${job.name} is defined twice (module ${module.name})`);
      jobs.set(job.name, job);
    }
    for (const cron of module.crons ?? []) {
      if (crons.has(cron.name)) throw new Error(`Cron schedule ${cron.name} is defined twice (module ${module.name})`);
      crons.set(cron.name, cron);
    }
  }
  for (const cron of crons.values()) {
    if (!jobs.has(cron.job)) throw new Error(`Cron schedule ${cron.name} names unknown job ${cron.job}`);
  }
  return { get: (name) => jobs.get(name), jobs: [...jobs.values()], crons: [...crons.values()] };
}
