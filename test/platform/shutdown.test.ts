import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLOSE_RESERVE_MS, shutdownBudget } from "../../src/cli/shutdown-budget.ts";
import { parseConfig } from "../../src/platform/config/config.ts";
import { openPostgres } from "../../src/platform/db/open-postgres.ts";
import { listen } from "../../src/platform/server/listen.ts";
import { fastJobsEnv } from "../jobs/support/fast-env.ts";
import testJobsModule, { jobRunsTable, sleepJob } from "../jobs/support/jobs-test-module.ts";
import { probeModule } from "../support/probe-module.ts";
import { runCli, startCli, waitFor } from "../support/spawn-cli.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { dbKind } from "../support/test-database.ts";

describe("graceful shutdown drains in-flight requests", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ modules: [probeModule] });
  });
  afterAll(() => t.close());

  it("finishes a request in flight, then refuses new connections", async () => {
    const server = await listen(t.app, { port: 0, host: "127.0.0.1" });
    const inFlight = fetch(`${server.url}/api/probe/slow?ms=600`);
    await new Promise((resolve) => setTimeout(resolve, 150)); // the request is now being handled
    const closing = server.close(5_000);
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ waited: 600 });
    expect(await closing).toEqual({ drained: true });
    await expect(fetch(`${server.url}/api/health`)).rejects.toThrow();
  });

  it("cuts a request that outlives the bound", async () => {
    const server = await listen(t.app, { port: 0, host: "127.0.0.1" });
    const inFlight = fetch(`${server.url}/api/probe/slow?ms=3000`).then(
      () => "answered",
      () => "cut",
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    const started = Date.now();
    expect(await server.close(200)).toEqual({ drained: false });
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(await inFlight).toBe("cut");
  });
});

// The embedded path boots a fresh PGlite (initdb, several seconds): run it once, in the pglite project.
describe.runIf(dbKind === "pglite")("the embedded server as a real process", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "bp-embedded-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("serves, lets the CLI and a Postgres client reach its database, and exits 0 on SIGTERM", async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const pgPort = port + 1;
    const env = { PORT: String(port), BACKPLANE_DATA_DIR: path.join(dir, "data"), BACKPLANE_EMBEDDED_PG_PORT: String(pgPort) };
    const server = startCli(["serve"], env);
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/api/health`)).ok, 60_000, "the server");
      expect(server.output().stdout).toContain(`http://127.0.0.1:${port}/api/docs`);

      // The Node server adds the security headers here (the app skips them); check they arrive,
      // on answers and on errors, next to the app's own request id.
      for (const [path, status] of [
        ["/api/health", 200],
        ["/api/nothing", 404],
      ] as const) {
        const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { "x-request-id": "proc-1" } });
        expect(response.status).toBe(status);
        expect(response.headers.get("x-content-type-options")).toBe("nosniff");
        expect(response.headers.get("x-frame-options")).toBe("SAMEORIGIN");
        expect(response.headers.get("strict-transport-security")).toContain("max-age=");
        expect(response.headers.get("x-request-id")).toBe("proc-1");
      }

      // Another process (the CLI) reaches the same database through the running server.
      const migrate = await runCli(["migrate", "--json"], env);
      expect(migrate.code, migrate.stderr).toBe(0);
      expect(JSON.parse(migrate.stdout).applied).toEqual([]);

      // So does any Postgres client (psql, node-postgres) on the printed URL.
      const client = openPostgres({ url: `postgres://postgres@127.0.0.1:${pgPort}/postgres`, poolMax: 1 });
      const rows = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM backplane.migrations");
      await client.close();
      expect(rows[0]?.n).toBeGreaterThan(0);

      server.kill("SIGTERM");
      const result = await server.done;
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('"msg":"stopped"');
      expect(existsSync(path.join(dir, "data.lock.json"))).toBe(false);
    } finally {
      if (server.exitCode === null) server.kill("SIGKILL");
    }
  }, 90_000);
});

describe("shutdown budgets", () => {
  it("the default budget of start/serve fits a 30 s grace period; the worker's drain is capped inside it", () => {
    const config = parseConfig({});
    expect(config.SHUTDOWN_TIMEOUT_MS).toBe(25_000);
    expect(config.WORKER_DRAIN_SECONDS).toBe(30);
    expect(shutdownBudget(config, "server")).toEqual({ budgetMs: 25_000, httpDrainMs: 20_000, workerDrainSeconds: 20 });
    // The standalone worker keeps its own 30 s drain (seed 001), plus the reserve.
    expect(shutdownBudget(config, "worker")).toEqual({ budgetMs: 30_000 + CLOSE_RESERVE_MS, httpDrainMs: 0, workerDrainSeconds: 30 });
    expect(shutdownBudget(parseConfig({ WORKER_DRAIN_SECONDS: "5" }), "server").workerDrainSeconds).toBe(5);
  });
});

// `start` with a running job and a slow request: needs a database another process can share.
describe.runIf(dbKind === "postgres")("`start` drains HTTP and the worker in parallel within SHUTDOWN_TIMEOUT_MS", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: fastJobsEnv, modules: [testJobsModule] });
    await t.services.db.exec(jobRunsTable);
  });
  afterAll(() => t.close());

  it("a slow request and a long job: both drain at once, the job is handed back, exit 0 within the budget", async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const budgetMs = CLOSE_RESERVE_MS + 3_000;
    const server = startCli(["start", "--no-migrate"], {
      ...fastJobsEnv,
      LOG_LEVEL: "info",
      PORT: String(port),
      DATABASE_URL: t.database.url as string,
      BACKPLANE_EXTRA_MODULES: "test/support/probe-module.ts,test/jobs/support/jobs-test-module.ts",
      SHUTDOWN_TIMEOUT_MS: String(budgetMs),
      WORKER_DRAIN_SECONDS: "30",
    });
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/api/health`)).ok, 30_000, "the server");
      await t.services.jobs.enqueue(sleepJob, { key: "long", ms: 20_000 });
      await waitFor(
        async () => (await t.services.db.query("SELECT 1 FROM public.job_runs WHERE key = 'long'")).length > 0,
        15_000,
        "the job",
      );
      const slow = fetch(`http://127.0.0.1:${port}/api/probe/slow?ms=10000`).then(
        () => "answered",
        () => "cut",
      );
      await new Promise((resolve) => setTimeout(resolve, 200));

      const stoppedAt = Date.now();
      server.kill("SIGTERM");
      const result = await server.done;
      const elapsed = Date.now() - stoppedAt;
      expect(result.code, result.stderr).toBe(0);
      // Sequential (HTTP drain, then the worker's 30 s) would take over 30 s; in parallel the drains take 3 s.
      expect(elapsed).toBeGreaterThanOrEqual(2_900);
      expect(elapsed).toBeLessThan(budgetMs);
      expect(await slow).toBe("cut");
      const stopped = result.stdout.split("\n").find((line) => line.includes('"msg":"worker stopped"'));
      expect(JSON.parse(stopped ?? "{}")).toMatchObject({ handedBack: 1, leftToExpiry: 0, drainSeconds: 3 });
    } finally {
      if (server.exitCode === null) server.kill("SIGKILL");
    }
  }, 90_000);
});
