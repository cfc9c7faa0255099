import type { CronSchedule, JobDefinition } from "../module.ts";

/** Declares a job; the payload type comes from the zod schema. List it in the module's `jobs`. */
export function defineJob<Payload>(job: JobDefinition<Payload>): JobDefinition<Payload> {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(job.name)) throw new Error(`Job name ${job.name} must be lowercase letters, digits, ., _ or -`);
  return job;
}

/** Declares a recurring run of a job. List it in the module's `crons`. */
export function defineCron(cron: CronSchedule): CronSchedule {
  return cron;
}
