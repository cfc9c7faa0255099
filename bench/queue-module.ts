import { z } from "zod";
import { defineJob } from "../src/platform/jobs/define-job.ts";
import { defineModule } from "../src/platform/module.ts";

/** Jobs for bench/queue.ts, loaded by the worker process through BACKPLANE_EXTRA_MODULES. */
export const benchTables = `
CREATE TABLE IF NOT EXISTS public.bench_starts (sent_ms double precision NOT NULL, started_ms double precision NOT NULL);`;

export const noop = defineJob({ name: "bench.noop", queue: "default", payload: z.object({ i: z.number() }), handler: async () => {} });

/** Records when the handler started next to when the job was sent (one machine, one clock). */
export const stamp = defineJob({
  name: "bench.stamp",
  queue: "critical",
  payload: z.object({ sentMs: z.number() }),
  handler: async ({ sentMs }, { services }) => {
    const startedMs = performance.timeOrigin + performance.now();
    await services.db.query("INSERT INTO public.bench_starts (sent_ms, started_ms) VALUES ($1, $2)", [sentMs, startedMs]);
  },
});

export default defineModule({ name: "benchqueue", jobs: [noop, stamp] });
