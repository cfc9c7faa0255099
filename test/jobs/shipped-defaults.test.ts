import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { parseConfig } from "../../src/platform/config/config.ts";
import { defineJob } from "../../src/platform/jobs/define-job.ts";
import { DEAD_LETTER_QUEUE } from "../../src/platform/jobs/queues.ts";
import { sendOptionsFor } from "../../src/platform/jobs/send-options.ts";
import { type RunningWorker, startWorker } from "../../src/platform/jobs/start-worker.ts";
import { defineModule } from "../../src/platform/module.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import testModule, { jobRunsTable, sleepJob } from "./support/jobs-test-module.ts";
import { waitFor } from "./support/wait-for.ts";

// Seed 001 (VisAPI): "3 retries then a dead-letter queue" and "a standalone worker with a 30 s
// graceful drain". Other job tests shorten both to stay fast; these hold the shipped values.

/** A job that always fails and sets no retry policy of its own: the platform defaults apply. */
const alwaysFails = defineJob({
  name: "defaults.always-fails",
  queue: "default",
  payload: z.object({ n: z.number() }),
  handler: async () => {
    throw new Error("upstream answered 502");
  },
});
const defaultsModule = defineModule({ name: "defaults", jobs: [alwaysFails] });

let t: TestApp | null = null;
let worker: RunningWorker | null = null;
afterEach(async () => {
  await worker?.stop(0);
  worker = null;
  await t?.close();
  t = null;
});

describe("seed 001 defaults, as shipped", () => {
  it("config: a 30 s worker drain and a 2 s base retry delay; a job without a policy gets 3 retries with backoff", () => {
    const config = parseConfig({ NODE_ENV: "test", BACKPLANE_SECRET: "defaults-test-secret-0123456789abcdef" });
    expect(config.WORKER_DRAIN_SECONDS).toBe(30);
    expect(config.JOBS_RETRY_DELAY_SECONDS).toBe(2);
    expect(sendOptionsFor(alwaysFails as never, config)).toMatchObject({ retryLimit: 3, retryDelay: 2, retryBackoff: true });
  });

  it("a failing job with no policy of its own runs 4 times (1 + 3 retries), then lands in the dead-letter queue", async () => {
    // Only the waits are shortened (retry delay and polling); the retry count is the shipped default.
    t = await createTestApp({ env: { LOG_LEVEL: "error", JOBS_RETRY_DELAY_SECONDS: "0", JOBS_POLL_INTERVAL_SECONDS: "0.5" } });
    worker = await startWorker(t.services, [defaultsModule]);
    const jobId = await t.services.jobs.enqueue(alwaysFails, { n: 1 });
    const app = t;
    const [dead] = await waitFor("the dead letter", async () => {
      const rows = await app.services.db.query<{ source_id: string; source_retry_count: number }>(
        "SELECT source_id, source_retry_count FROM pgboss.job WHERE name = $1",
        [DEAD_LETTER_QUEUE],
      );
      return rows.length > 0 ? rows : null;
    });
    expect(dead).toEqual({ source_id: jobId, source_retry_count: 3 });
  });

  it("stop() without a drain argument waits for a 3 s job (the drain is WORKER_DRAIN_SECONDS = 30 s)", async () => {
    t = await createTestApp({ env: { LOG_LEVEL: "info", JOBS_POLL_INTERVAL_SECONDS: "0.5" } });
    expect(t.config.WORKER_DRAIN_SECONDS).toBe(30);
    await t.services.db.exec(jobRunsTable);
    worker = await startWorker(t.services, [testModule]);
    await t.services.jobs.enqueue(sleepJob, { key: "three-seconds", ms: 3_000 });
    const app = t;
    await waitFor("the job to start", async () => (await app.services.db.query("SELECT 1 FROM public.job_runs")).length === 1);
    const stopped = await worker.stop();
    worker = null;
    expect(stopped).toMatchObject({ finished: 1, handedBack: 0 });
    const line = t.logs.map((entry) => JSON.parse(entry)).find((entry) => entry.msg === "worker stopped");
    expect(line?.drainSeconds).toBe(30);
  });
});
