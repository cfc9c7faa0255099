/**
 * Queue figures for issue 4, on real Postgres (a `backplane worker` child process) and on
 * PGlite (worker in this process, the embedded default):
 *   - jobs/s: 10,000 no-op jobs waiting, one worker, from worker start to the last completion;
 *   - enqueue → handler start latency with an idle worker (p50, p99), jobs sent one at a time.
 * Usage: node bench/queue.ts [--jobs 10000] [--samples 300]
 * BENCH_DATABASE_URL names a server where the script may create and drop a database.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { homedir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { migrateAll } from "../src/platform/boot/migrations-for.ts";
import { parseConfig } from "../src/platform/config/config.ts";
import type { Database } from "../src/platform/db/database.ts";
import { openPglite } from "../src/platform/db/open-pglite.ts";
import { openPostgres } from "../src/platform/db/open-postgres.ts";
import { openJobQueue } from "../src/platform/jobs/open-job-queue.ts";
import { producerOf } from "../src/platform/jobs/producer-of.ts";
import { JOBS_QUEUE, queuePriority } from "../src/platform/jobs/queues.ts";
import { startWorker } from "../src/platform/jobs/start-worker.ts";
import type { Services } from "../src/platform/module.ts";
import { createLogger } from "../src/platform/observability/logger.ts";
import { benchConfig } from "./config.ts";
import benchModule, { benchTables, stamp } from "./queue-module.ts";

const { values } = parseArgs({ options: { jobs: { type: "string", default: "10000" }, samples: { type: "string", default: "300" } } });
const JOBS = Number(values.jobs);
const SAMPLES = Number(values.samples);
const { adminUrl } = benchConfig;
const root = path.resolve(import.meta.dirname, "..");
const now = () => performance.timeOrigin + performance.now();
const log = createLogger({ level: "error" });

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function completed(db: Database): Promise<number> {
  const [row] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state = 'completed'", [
    JOBS_QUEUE,
  ]);
  return row?.n ?? 0;
}

/** Fills the queue with no-op jobs in chunks of 1,000 (pg-boss's bulk insert). */
async function fill(services: Services, count: number): Promise<void> {
  const boss = await producerOf(services.jobs);
  for (let from = 0; from < count; from += 1000) {
    const chunk = Array.from({ length: Math.min(1000, count - from) }, (_, k) => ({
      data: { job: "bench.noop", queue: "default", payload: { i: from + k } },
      priority: queuePriority.default,
      retryLimit: 3,
    }));
    await boss.insert(JOBS_QUEUE, chunk);
  }
}

async function latency(services: Services): Promise<{ p50: number; p99: number }> {
  await services.db.exec("TRUNCATE public.bench_starts");
  for (let i = 0; i < SAMPLES; i++) {
    await services.jobs.enqueue(stamp, { sentMs: now() });
    await waitUntil(
      "the stamp",
      async () => Number((await services.db.query<{ n: number }>("SELECT count(*)::int AS n FROM public.bench_starts"))[0]?.n) > i,
      10_000,
    );
    await sleep(5); // idle between samples: each one measures a wake-up, not a backlog
  }
  const rows = await services.db.query<{ ms: number }>("SELECT started_ms - sent_ms AS ms FROM public.bench_starts");
  const sorted = rows.map((row) => Number(row.ms)).sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

async function onPostgres() {
  const name = `bp_queue_bench_${randomBytes(4).toString("hex")}`;
  const admin = openPostgres({ url: adminUrl, poolMax: 1 });
  await admin.exec(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = openPostgres({ url: url.toString(), poolMax: 5 });
  const config = parseConfig({ DATABASE_URL: url.toString(), LOG_LEVEL: "error" });
  let child: ReturnType<typeof spawn> | null = null;
  try {
    await migrateAll(db, [benchModule]);
    await db.exec(benchTables);
    const jobs = await openJobQueue({ config, db, log });
    const services: Services = { config, db, log, jobs };
    await fill(services, JOBS);
    child = spawn(process.execPath, ["--max-semi-space-size=4", "bin/backplane.js", "worker", "--no-migrate"], {
      cwd: root,
      env: {
        // Only what the worker needs: the caller's own environment must not change the figures.
        HOME: homedir(),
        DATABASE_URL: url.toString(),
        BACKPLANE_EXTRA_MODULES: "bench/queue-module.ts",
        LOG_LEVEL: "error",
        LOG_PRETTY: "false",
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const started = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("worker did not start")), 20_000);
      child?.stdout?.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("is running")) {
          clearTimeout(timer);
          resolve(now());
        }
      });
    });
    await waitUntil("all no-op jobs", async () => (await completed(db)) >= JOBS, 300_000);
    const jobsPerSecond = JOBS / ((now() - started) / 1000);
    const lat = await latency(services);
    await jobs.close();
    return { jobsPerSecond, ...lat };
  } finally {
    child?.kill("SIGTERM");
    await db.close();
    await admin.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.close();
  }
}

async function onPglite() {
  const db = await openPglite(undefined);
  const config = parseConfig({ LOG_LEVEL: "error" });
  await migrateAll(db, [benchModule]);
  await db.exec(benchTables);
  const jobs = await openJobQueue({ config, db, log });
  const services: Services = { config, db, log, jobs };
  await fill(services, JOBS);
  const started = now();
  const worker = await startWorker(services, [benchModule]);
  await waitUntil("all no-op jobs", async () => (await completed(db)) >= JOBS, 600_000);
  const jobsPerSecond = JOBS / ((now() - started) / 1000);
  const lat = await latency(services);
  await worker.stop(0);
  await jobs.close();
  await db.close();
  return { jobsPerSecond, ...lat };
}

const fmt = (r: { jobsPerSecond: number; p50: number; p99: number }) =>
  `${Math.round(r.jobsPerSecond)} jobs/s | p50 ${r.p50.toFixed(1)} ms | p99 ${r.p99.toFixed(1)} ms`;

const postgres = await onPostgres();
process.stdout.write(`postgres (worker process): ${fmt(postgres)}  [${JOBS} no-op jobs, ${SAMPLES} latency samples]\n`);
const pglite = await onPglite();
process.stdout.write(`pglite   (in process):     ${fmt(pglite)}  [${JOBS} no-op jobs, ${SAMPLES} latency samples]\n`);
process.exit(0);
