import { z } from "zod";
import type { Catalog } from "../catalog.ts";
import { tickedTasks } from "../crons/platform-ticks.ts";
import { runTickOnce } from "../crons/run-tick.ts";
import { idPattern } from "../ids.ts";
import { defineCron, defineJob } from "../jobs/define-job.ts";
import type { CronSchedule, JobDefinition } from "../module.ts";
import { buildExport, markExportFailed } from "./build-export.ts";
import { eraseUser } from "./erase-user.ts";

const EXPORT_RETRIES = 2;

/**
 * The platform's jobs that reach every module (privacy export and delete, the cleanup and
 * metrics ticks), bound to the catalog of the modules this process runs. A worker must run
 * every module for an export or erasure to cover them all (the default: BACKPLANE_MODULES unset).
 */
export function catalogJobs(catalog: Catalog) {
  const exportJob = defineJob({
    name: "platform.privacy-export",
    queue: "default",
    payload: z.object({ exportId: z.string().regex(idPattern("pex")) }).strict(),
    retry: { limit: EXPORT_RETRIES },
    async handler({ exportId }, { services, attempt }) {
      try {
        await buildExport(services, catalog, exportId);
      } catch (error) {
        if (attempt > EXPORT_RETRIES) await markExportFailed(services, exportId, error);
        throw error;
      }
    },
  });
  // Stays pending through failures (then the dead-letter queue): an erasure is replayed after the fix, never dropped.
  const deleteJob = defineJob({
    name: "platform.privacy-delete",
    queue: "critical",
    payload: z.object({ deletionId: z.string().regex(idPattern("pdl")) }).strict(),
    retry: { limit: 5 },
    handler: ({ deletionId }, { services }) => eraseUser(services, catalog, deletionId),
  });
  const tickJobs = tickedTasks.map((task) =>
    defineJob({
      name: task.job,
      queue: "bulk",
      payload: z.null().or(z.object({}).strict()).optional(),
      async handler(_payload, { services }) {
        const outcome = await runTickOnce(services, catalog, task, "worker");
        if (outcome.ran && outcome.status === "failed")
          throw new Error(`${task.job} tick ${outcome.tick} failed: ${JSON.stringify(outcome.result)}`);
      },
    }),
  );
  const crons: CronSchedule[] = tickedTasks.map((task) => defineCron({ name: task.job, cron: task.cron, job: task.job }));
  // biome-ignore lint/suspicious/noExplicitAny: a list of jobs of several payload types
  const jobs: JobDefinition<any>[] = [exportJob, deleteJob, ...tickJobs];
  return { exportJob, deleteJob, jobs, crons };
}
