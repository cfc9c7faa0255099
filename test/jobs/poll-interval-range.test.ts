import { afterEach, describe, expect, it } from "vitest";
import { type RunningWorker, startWorker } from "../../src/platform/jobs/start-worker.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { fastJobsEnv } from "./support/fast-env.ts";
import testModule from "./support/jobs-test-module.ts";

/** JOBS_POLL_INTERVAL_SECONDS accepts up to 60 s: a worker must start at every value it accepts. */
describe("a worker starts at the longest poll interval the config accepts", () => {
  let t: TestApp | null = null;
  let worker: RunningWorker | null = null;
  afterEach(async () => {
    await worker?.stop(0);
    worker = null;
    await t?.close();
    t = null;
  });

  it("JOBS_POLL_INTERVAL_SECONDS=60", async () => {
    t = await createTestApp({ env: { ...fastJobsEnv, JOBS_POLL_INTERVAL_SECONDS: "60" }, modules: [testModule] });
    worker = await startWorker(t.services, [testModule]);
    expect(worker).toBeTruthy();
  });
});
