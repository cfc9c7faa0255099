import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { defineJob } from "../../../src/platform/jobs/define-job.ts";
import { defineModule, type JobContext, type QueueName } from "../../../src/platform/module.ts";

/**
 * Jobs that exist only in tests. Every run is recorded in `public.job_runs` (the test creates the
 * table with `jobRunsTable`), so tests and child worker processes agree on what ran, when and where.
 * Loaded in child processes through BACKPLANE_EXTRA_MODULES.
 */
export const jobRunsTable = `
CREATE TABLE IF NOT EXISTS public.job_runs (
  seq bigserial PRIMARY KEY,
  job text NOT NULL,
  key text NOT NULL,
  job_id text NOT NULL,
  attempt int NOT NULL,
  pid int NOT NULL,
  started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at timestamptz
);
CREATE TABLE IF NOT EXISTS public.job_switches (key text PRIMARY KEY, healthy boolean NOT NULL);`;

const keyed = z.object({ key: z.string().min(1) });

async function start(job: string, key: string, context: JobContext): Promise<string> {
  const [row] = await context.services.db.query<{ seq: string }>(
    "INSERT INTO public.job_runs (job, key, job_id, attempt, pid) VALUES ($1, $2, $3, $4, $5) RETURNING seq",
    [job, key, context.jobId, context.attempt, process.pid],
  );
  return (row as { seq: string }).seq;
}

async function finish(seq: string, context: JobContext): Promise<void> {
  await context.services.db.query("UPDATE public.job_runs SET finished_at = clock_timestamp() WHERE seq = $1", [seq]);
}

const recorder = (queue: QueueName) =>
  defineJob({
    name: `test.${queue}`,
    queue,
    payload: keyed,
    handler: async ({ key }, context) => finish(await start(`test.${queue}`, key, context), context),
  });

export const criticalJob = recorder("critical");
export const defaultJob = recorder("default");
export const bulkJob = recorder("bulk");

/** Sleeps without looking at its abort signal, like a handler that cannot be interrupted. */
export const sleepJob = defineJob({
  name: "test.sleep",
  queue: "default",
  payload: z.object({ key: z.string(), ms: z.number().int().min(0).max(60_000) }),
  handler: async ({ key, ms }, context) => {
    const seq = await start("test.sleep", key, context);
    await sleep(ms);
    await finish(seq, context);
  },
});

/** Fails while its switch is off (or missing); three failures then the dead-letter queue. */
export const switchJob = defineJob({
  name: "test.switch",
  queue: "critical",
  payload: keyed,
  retry: { limit: 2, delaySeconds: 0, backoff: false },
  handler: async ({ key }, context) => {
    const seq = await start("test.switch", key, context);
    const [row] = await context.services.db.query<{ healthy: boolean }>("SELECT healthy FROM public.job_switches WHERE key = $1", [key]);
    if (!row?.healthy) throw new Error(`switch ${key} is off`);
    await finish(seq, context);
  },
});

/** Payload rules that a stored job can stop meeting (as when a schema changes between deploys). */
export const strictJob = defineJob({
  name: "test.strict",
  queue: "default",
  payload: z.object({ key: z.string(), count: z.number().int().positive() }),
  handler: async ({ key }, context) => finish(await start("test.strict", key, context), context),
});

export const tickJob = defineJob({
  name: "test.tick",
  queue: "bulk",
  payload: z.object({ from: z.string() }),
  handler: async ({ from }, context) => finish(await start("test.tick", from, context), context),
});

export const noopJob = defineJob({ name: "test.noop", queue: "default", payload: z.object({}).passthrough(), handler: async () => {} });

export default defineModule({
  name: "jobstest",
  jobs: [criticalJob, defaultJob, bulkJob, sleepJob, switchJob, strictJob, tickJob, noopJob],
});
