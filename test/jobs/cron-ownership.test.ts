import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineCron, defineJob } from "../../src/platform/jobs/define-job.ts";
import { producerOf } from "../../src/platform/jobs/producer-of.ts";
import { JOBS_QUEUE } from "../../src/platform/jobs/queues.ts";
import { type RunningWorker, startWorker } from "../../src/platform/jobs/start-worker.ts";
import { type BackplaneModule, defineModule } from "../../src/platform/module.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { fastJobsEnv } from "./support/fast-env.ts";

const noop = (name: string) => defineJob({ name, queue: "bulk", payload: z.object({}).optional(), handler: async () => {} });
const reportJob = noop("owners-a.report");
const digestJob = noop("owners-b.digest");
// Two modules, each with a nightly cron (never due during the test).
const moduleA = (crons = true) =>
  defineModule({
    name: "owners-a",
    jobs: [reportJob],
    crons: crons ? [defineCron({ name: "owners-a.nightly-report", cron: "0 3 * * *", job: reportJob.name })] : [],
  });
const moduleB = defineModule({
  name: "owners-b",
  jobs: [digestJob],
  crons: [defineCron({ name: "owners-b.nightly-digest", cron: "30 3 * * *", job: digestJob.name })],
});

let t: TestApp | null = null;
const workers: RunningWorker[] = [];
afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.stop(0);
  await t?.close();
  t = null;
});

async function worker(app: TestApp, modules: BackplaneModule[]): Promise<RunningWorker> {
  const started = await startWorker(app.services, modules);
  workers.push(started);
  return started;
}

const ours = async (app: TestApp) =>
  (await (await producerOf(app.services.jobs)).getSchedules(JOBS_QUEUE))
    .map((schedule) => schedule.key)
    .filter((key) => key.startsWith("owners-"))
    .sort();

describe("cron schedules with workers of different module sets side by side", () => {
  it("a worker leaves the schedules of modules it does not run alone", async () => {
    t = await createTestApp({ env: fastJobsEnv, modules: [] });
    await worker(t, [moduleA()]);
    await worker(t, [moduleB]); // e.g. the next version of a rolling deploy, or a worker split by module
    expect(await ours(t)).toEqual(["owners-a.nightly-report", "owners-b.nightly-digest"]);
    await worker(t, [moduleA()]); // the first kind restarts: still both
    expect(await ours(t)).toEqual(["owners-a.nightly-report", "owners-b.nightly-digest"]);
  });

  it("a worker that runs a module removes that module's schedule once the module stops declaring it", async () => {
    t = await createTestApp({ env: fastJobsEnv, modules: [] });
    await worker(t, [moduleA(), moduleB]);
    await worker(t, [moduleA(false)]); // owners-a without its cron
    expect(await ours(t)).toEqual(["owners-b.nightly-digest"]);
  });

  it("a schedule stored before owners were recorded belongs to the module of its job", async () => {
    t = await createTestApp({ env: fastJobsEnv, modules: [] });
    const boss = await producerOf(t.services.jobs);
    for (const [key, job] of [
      ["owners-a.legacy", reportJob.name],
      ["owners-b.legacy", digestJob.name],
    ] as const) {
      await boss.schedule(JOBS_QUEUE, "0 4 * * *", { job, queue: "bulk", payload: null }, { key, tz: "UTC" });
    }
    await worker(t, [moduleA()]);
    expect(await ours(t)).toEqual(["owners-a.nightly-report", "owners-b.legacy"]);
  });
});
