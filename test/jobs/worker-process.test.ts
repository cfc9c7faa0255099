import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { dbKind } from "../support/test-database.ts";
import { fastJobsEnv } from "./support/fast-env.ts";
import testModule, { jobRunsTable, noopJob, sleepJob } from "./support/jobs-test-module.ts";
import { waitFor } from "./support/wait-for.ts";
import { cronTestModulePath, jobsTestModulePath, spawnWorker, type WorkerProcess } from "./support/worker-process.ts";

// Several processes on one database need a real server: PGlite is one in-process session.
describe.runIf(dbKind === "postgres")("worker processes", () => {
  let t: TestApp | null = null;
  const workers: WorkerProcess[] = [];

  afterEach(async () => {
    for (const worker of workers.splice(0)) {
      if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill("SIGKILL");
      await worker.exited;
    }
    await t?.close();
    t = null;
  });

  async function setup(): Promise<{ app: TestApp; url: string }> {
    t = await createTestApp({ env: fastJobsEnv, modules: [testModule] });
    await t.services.db.exec(jobRunsTable);
    return { app: t, url: t.database.url as string };
  }

  const start = async (url: string, env: Record<string, string> = {}, modules?: string[]) => {
    const worker = await spawnWorker(url, env, modules);
    workers.push(worker);
    return worker;
  };

  const countRuns = async (app: TestApp, job: string) =>
    Number((await app.services.db.query<{ n: number }>("SELECT count(*)::int AS n FROM public.job_runs WHERE job = $1", [job]))[0]?.n ?? 0);

  it("SIGTERM: a job shorter than the drain finishes, a longer one goes back and runs on the next worker; exit 0", async () => {
    const { app, url } = await setup();
    const first = await start(url, { WORKER_DRAIN_SECONDS: "2" });
    await app.services.jobs.enqueue(sleepJob, { key: "short", ms: 1_000 });
    await app.services.jobs.enqueue(sleepJob, { key: "long", ms: 6_000 });
    await waitFor("both jobs to start", async () => (await countRuns(app, "test.sleep")) === 2);

    const stoppedAt = Date.now();
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);
    const afterDrain = await app.services.db.query<{ key: string; finished: boolean }>(
      "SELECT key, finished_at IS NOT NULL AS finished FROM public.job_runs ORDER BY key DESC",
    );
    expect(afterDrain).toEqual([
      { key: "short", finished: true },
      { key: "long", finished: false },
    ]);

    const second = await start(url);
    const rerun = await waitFor(
      "the long job to run again and finish",
      async () => {
        const rows = await app.services.db.query<{ pid: number; attempt: number }>(
          "SELECT pid, attempt FROM public.job_runs WHERE key = 'long' AND finished_at IS NOT NULL",
        );
        return rows[0];
      },
      15_000,
    );
    expect(rerun.pid).toBe(second.child.pid);
    // Handed back, not failed: the interrupted run did not use up an attempt.
    expect(rerun.attempt).toBe(1);
  });

  it("SIGKILL mid-job, several times: every job completes; extra executions are counted", async () => {
    const { app, url } = await setup();
    const total = 24;
    for (let i = 0; i < total; i++) await app.services.jobs.enqueue(sleepJob, { key: `k${i}`, ms: 400 });
    const env = { JOBS_CONCURRENCY: "2", JOBS_BATCH_SIZE: "2" };
    const kills = 3;
    for (let round = 0; round < kills; round++) {
      const worker = await start(url, env);
      const before = await countRuns(app, "test.sleep");
      // Kill it while it holds jobs: after at least one new start, at a point where runs are in flight.
      await waitFor("the worker to start a job", async () => (await countRuns(app, "test.sleep")) > before, 10_000);
      await sleep(150);
      worker.child.kill("SIGKILL");
      expect(await worker.exited).toBe("SIGKILL");
    }
    await start(url, env);
    const finishedKeys = await waitFor(
      "every job to finish",
      async () => {
        const [row] = await app.services.db.query<{ n: number }>(
          "SELECT count(DISTINCT key)::int AS n FROM public.job_runs WHERE job = 'test.sleep' AND finished_at IS NOT NULL",
        );
        return (row?.n ?? 0) === total ? row?.n : null;
      },
      45_000,
      200,
    );
    expect(finishedKeys).toBe(total);
    const executions = await countRuns(app, "test.sleep");
    const extra = executions - total;
    // At least once: a killed job runs again. Reported by the test for the note.
    console.info(`SIGKILL loop: ${kills} kills, ${total} jobs, ${executions} executions, ${extra} extra`);
    expect(extra).toBeGreaterThanOrEqual(1);
    expect(extra).toBeLessThanOrEqual(kills * 4);
    const [{ dead }] = (await app.services.db.query<{ dead: number }>(
      "SELECT count(*)::int AS dead FROM pgboss.job WHERE name = 'backplane_dlq'",
    )) as [{ dead: number }];
    expect(dead).toBe(0);
  }, 90_000);

  it("two workers: each job runs once, and a cron tick runs once", async () => {
    const { app, url } = await setup();
    // Stay inside one minute so exactly one tick is due while the workers run.
    const second = new Date().getUTCSeconds();
    if (second > 45) await sleep((61 - second) * 1000);
    const modules = [jobsTestModulePath, cronTestModulePath];
    await Promise.all([start(url, {}, modules), start(url, {}, modules)]);
    const total = 200;
    for (let i = 0; i < total; i++) await app.services.jobs.enqueue(noopJob, {});
    await app.services.db.query("SELECT 1");
    for (let i = 0; i < total; i++) await app.services.jobs.enqueue(sleepJob, { key: `once-${i}`, ms: 0 });
    await waitFor("every job to run", async () => (await countRuns(app, "test.sleep")) >= total, 20_000);
    await waitFor("the cron tick", async () => (await countRuns(app, "test.tick")) >= 1, 10_000);
    await sleep(3_000); // several more cron passes on both workers
    const [row] = await app.services.db.query<{ runs: number; keys: number; pids: number }>(
      "SELECT count(*)::int AS runs, count(DISTINCT key)::int AS keys, count(DISTINCT pid)::int AS pids FROM public.job_runs WHERE job = 'test.sleep'",
    );
    expect(row).toEqual({ runs: total, keys: total, pids: 2 });
    expect(await countRuns(app, "test.tick")).toBe(1);
  }, 60_000);
});
