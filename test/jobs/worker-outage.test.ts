import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { startTcpProxy, type TcpProxy, targetOf } from "../support/tcp-proxy.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { dbKind } from "../support/test-database.ts";
import { fastJobsEnv } from "./support/fast-env.ts";
import testModule, { jobRunsTable, sleepJob } from "./support/jobs-test-module.ts";
import { waitFor } from "./support/wait-for.ts";
import { spawnWorker, type WorkerProcess } from "./support/worker-process.ts";

/** The worker's JSON log lines at `level` or above (pino: 40 warn, 50 error). */
function logLines(output: string, minLevel = 40): { level: number; msg: string; [field: string]: unknown }[] {
  return output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line))
    .filter((line) => line.level >= minLevel);
}

// A database outage needs a real server behind a proxy the test can cut.
describe.runIf(dbKind === "postgres")("the worker during a database outage", () => {
  let t: TestApp | null = null;
  let proxy: TcpProxy | null = null;
  let worker: WorkerProcess | null = null;

  afterEach(async () => {
    if (worker && worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill("SIGKILL");
    await worker?.exited;
    worker = null;
    await proxy?.close();
    proxy = null;
    await t?.close();
    t = null;
  });

  async function setup(env: Record<string, string> = {}): Promise<{ app: TestApp; proxy: TcpProxy; worker: WorkerProcess }> {
    t = await createTestApp({ env: fastJobsEnv, modules: [testModule] });
    await t.services.db.exec(jobRunsTable);
    const url = t.database.url as string;
    proxy = await startTcpProxy(targetOf(url));
    worker = await spawnWorker(proxy.urlFor(url), { LOG_LEVEL: "info", ...env });
    return { app: t, proxy, worker };
  }

  const finished = async (app: TestApp, key: string) =>
    (await app.services.db.query("SELECT 1 FROM public.job_runs WHERE key = $1 AND finished_at IS NOT NULL", [key])).length > 0;

  it("backs off while the database is down (a few log lines, not ~10 a second) and runs jobs again when it returns", async () => {
    const { app, proxy, worker } = await setup();
    await app.services.jobs.enqueue(sleepJob, { key: "before", ms: 0 });
    await waitFor("a job before the outage", () => finished(app, "before"));

    const linesBefore = logLines(worker.output()).length;
    proxy.cut();
    await sleep(8_000);
    const during = logLines(worker.output()).slice(linesBefore);
    // One "unreachable" warning; the repeated connection errors are not each logged.
    expect(during.length, JSON.stringify(during, null, 1)).toBeLessThanOrEqual(3);
    expect(during.map((line) => line.msg)).toContain("database unreachable: the worker backs off until it returns");

    proxy.restore();
    // Enqueued through the test's own connection: the worker must pick it up once it is back.
    await app.services.jobs.enqueue(sleepJob, { key: "after", ms: 0 });
    await waitFor("the worker to run a job after the outage", () => finished(app, "after"), 30_000, 200);
    expect(logLines(worker.output(), 30).map((line) => line.msg)).toContain("database reachable again: the worker resumes");
  }, 60_000);

  it("SIGTERM with the database down: no job is reported handed back; they are left to the expiry sweep; exit 0", async () => {
    const { app, proxy, worker } = await setup({ WORKER_DRAIN_SECONDS: "1" });
    await app.services.jobs.enqueue(sleepJob, { key: "long", ms: 20_000 });
    await waitFor(
      "the long job to start",
      async () => (await app.services.db.query("SELECT 1 FROM public.job_runs WHERE key = 'long'")).length > 0,
    );

    proxy.cut();
    const stoppedAt = Date.now();
    worker.child.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    const lines = logLines(worker.output(), 30);
    const stopped = lines.find((line) => line.msg === "worker stopped");
    expect(stopped).toMatchObject({ handedBack: 0, leftToExpiry: 1 });
    const left = lines.find((line) => line.msg === "drain timeout: jobs left to the expiry sweep (the database is unreachable)");
    expect(left?.jobs).toEqual([expect.objectContaining({ job: "test.sleep" })]);
    expect(lines.map((line) => line.msg)).not.toContain("drain timeout: jobs handed back");
  }, 60_000);

  it("a clean stop that hands a job back logs no 'connection is not opened' error", async () => {
    const { app, worker } = await setup({ WORKER_DRAIN_SECONDS: "1" });
    await app.services.jobs.enqueue(sleepJob, { key: "long", ms: 3_000 });
    await waitFor(
      "the long job to start",
      async () => (await app.services.db.query("SELECT 1 FROM public.job_runs WHERE key = 'long'")).length > 0,
    );
    worker.child.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
    // The aborted handler outlives the stop by ~2 s; nothing it triggers afterwards may be logged.
    await sleep(0);
    const lines = logLines(worker.output(), 30);
    expect(lines.find((line) => line.msg === "worker stopped")).toMatchObject({ handedBack: 1 });
    expect(logLines(worker.output(), 50)).toEqual([]);
    expect(worker.output()).not.toMatch(/not opened/);
  }, 60_000);
});
