import { catalogOf } from "../catalog.ts";
import type { BackplaneModule, CronSchedule, JobDefinition } from "../module.ts";
import { platformJobsFor } from "../platform-jobs.ts";

/** A cron schedule and the module that declares it (its owner: see sync-crons.ts). */
export type OwnedCron = CronSchedule & { module: string };

export interface JobRegistry {
  get(name: string): JobDefinition<unknown> | undefined;
  readonly jobs: JobDefinition<unknown>[];
  readonly crons: OwnedCron[];
  /** Names of the modules this registry was built from ("platform" included). */
  readonly modules: readonly string[];
  /** The module that defines a job, if it is one of these. */
  moduleOfJob(name: string): string | undefined;
}

/**
 * Every job and cron of the platform and the selected modules; a name used twice, or a cron
 * naming no job, stops boot.
 */
export function jobRegistry(modules: BackplaneModule[]): JobRegistry {
  const jobs = new Map<string, JobDefinition<unknown>>();
  const crons = new Map<string, OwnedCron>();
  const jobModules = new Map<string, string>();
  const all = [platformJobsFor(catalogOf(modules)), ...modules];
  for (const module of all) {
    for (const job of (module.jobs ?? []) as JobDefinition<unknown>[]) {
      if (jobs.has(job.name)) throw new Error(`Job ${job.name} is defined twice (module ${module.name})`);
      jobs.set(job.name, job);
      jobModules.set(job.name, module.name);
    }
    for (const cron of module.crons ?? []) {
      if (crons.has(cron.name)) throw new Error(`Cron schedule ${cron.name} is defined twice (module ${module.name})`);
      crons.set(cron.name, { ...cron, module: module.name });
    }
  }
  for (const cron of crons.values()) {
    if (!jobs.has(cron.job)) throw new Error(`Cron schedule ${cron.name} names unknown job ${cron.job}`);
  }
  return {
    get: (name) => jobs.get(name),
    jobs: [...jobs.values()],
    crons: [...crons.values()],
    modules: all.map((module) => module.name),
    moduleOfJob: (name) => jobModules.get(name),
  };
}
