import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningWorker, startWorker } from "../../src/platform/jobs/start-worker.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { fastJobsEnv } from "./support/fast-env.ts";
import testModule, { defaultJob, jobRunsTable } from "./support/jobs-test-module.ts";
import { waitFor } from "./support/wait-for.ts";

/**
 * An idle worker polling every 45 s runs a new job within seconds on every enqueue path: only a
 * NOTIFY (in the insert, or `wake()` after it) can make it, now that the API writes pg-boss's
 * insert itself rather than through pg-boss's send.
 */
describe("enqueue wakes an idle worker at once", () => {
  let t: TestApp;
  let worker: RunningWorker;
  beforeAll(async () => {
    t = await createTestApp({ env: { ...fastJobsEnv, JOBS_POLL_INTERVAL_SECONDS: "45" }, modules: [testModule] });
    await t.services.db.exec(jobRunsTable);
    worker = await startWorker(t.services, [testModule]);
    // Past the worker's first fetches: from here on it waits out its 45 s poll unless woken.
    await new Promise((resolve) => setTimeout(resolve, 1500));
  });
  afterAll(async () => {
    await worker?.stop(0);
    await t?.close();
  });

  const ranWithin = async (key: string, enqueue: () => Promise<unknown>) => {
    const started = Date.now();
    await enqueue();
    await waitFor(
      `${key} to run`,
      async () => {
        const rows = await t.services.db.query("SELECT 1 FROM public.job_runs WHERE key = $1 AND finished_at IS NOT NULL", [key]);
        return rows.length > 0;
      },
      8000,
    );
    return Date.now() - started;
  };
  const jobs = () => t.services.jobs;

  it("on its own", async () => {
    expect(await ranWithin("own", () => jobs().enqueue(defaultJob, { key: "own" }))).toBeLessThan(3000);
  });
  it("in a transaction", async () => {
    const enqueue = () => t.services.db.transaction((tx) => jobs().enqueue(defaultJob, { key: "tx" }, { tx }));
    expect(await ranWithin("tx", enqueue)).toBeLessThan(3000);
  });
  it("after commit, with wake()", async () => {
    const enqueue = async () => {
      await t.services.db.transaction((tx) => jobs().enqueue(defaultJob, { key: "ac" }, { tx, wake: "after-commit" }));
      jobs().wake();
    };
    expect(await ranWithin("ac", enqueue)).toBeLessThan(3000);
  });
  it("debounced, on its own and in a transaction", async () => {
    expect(await ranWithin("deb", () => jobs().enqueueDebounced(defaultJob, { key: "deb" }, { key: "deb", seconds: 60 }))).toBeLessThan(
      5000,
    );
    const inTx = () =>
      t.services.db.transaction((tx) => jobs().enqueueDebounced(defaultJob, { key: "debtx" }, { tx, key: "debtx", seconds: 60 }));
    expect(await ranWithin("debtx", inTx)).toBeLessThan(3000);
  });
});
