import { fileURLToPath } from "node:url";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import pg from "pg";
import { z } from "zod";
import { parseConfig } from "../../src/platform/config/config.ts";
import { openPostgres } from "../../src/platform/db/open-postgres.ts";
import { defineJob } from "../../src/platform/jobs/define-job.ts";
import { openJobQueue } from "../../src/platform/jobs/open-job-queue.ts";
import { startWorker } from "../../src/platform/jobs/start-worker.ts";
import { defineModule } from "../../src/platform/module.ts";
import { createLogger } from "../../src/platform/observability/logger.ts";
import { BENCH_SECRET, BENCH_SMTP_URL } from "../lib/database.ts";

/** A no-op job carrying its enqueue time; `onStart` is called when a worker begins it. */
export type OnStart = (enqueuedAt: number) => void;

export interface QueueDriver {
  name: string;
  enqueue(enqueuedAt: number): Promise<void>;
  close(): Promise<void>;
}

/** Same concurrency for all three: 4 fetch loops × batches of 8 (Backplane's defaults), or 32 for BullMQ. */
const LOOPS = 4;
const BATCH = 8;

/**
 * Backplane's queue through its own platform code: `openJobQueue` (what `services.jobs` is)
 * to enqueue, `startWorker` (what `backplane worker` runs) to run, with the shipped defaults.
 */
export async function backplaneQueue(databaseUrl: string, onStart: OnStart): Promise<QueueDriver> {
  const config = parseConfig({
    DATABASE_URL: databaseUrl,
    BACKPLANE_SECRET: BENCH_SECRET,
    LOG_LEVEL: "silent",
    NODE_ENV: "production",
    SMTP_URL: BENCH_SMTP_URL,
  });
  const log = createLogger({ level: "silent", pretty: false });
  const db = openPostgres({ url: databaseUrl, poolMax: config.DATABASE_POOL_MAX, applicationName: "backplane-bench" });
  const jobs = await openJobQueue({ config, db, log });
  const noop = defineJob({
    name: "bench.noop",
    queue: "default",
    payload: z.object({ t: z.number() }),
    handler: async ({ t }) => onStart(t),
  });
  const worker = await startWorker({ config, db, log, jobs }, [defineModule({ name: "bench", jobs: [noop] })]);
  return {
    name: "Backplane (pg-boss)",
    async enqueue(t) {
      await jobs.enqueue(noop, { t });
    },
    async close() {
      await worker.stop(5);
      await jobs.close();
      await db.close();
    },
  };
}

/**
 * What Postgres does without a library: one table, INSERT + NOTIFY to enqueue, and loops that
 * claim a batch with `FOR UPDATE SKIP LOCKED`, run it and mark it completed. LISTEN wakes idle
 * loops at once (the 1 s poll is only the backstop), like Backplane's NOTIFY wake-up.
 */
export async function skipLockedQueue(databaseUrl: string, onStart: OnStart): Promise<QueueDriver> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10, application_name: "bench-skiplocked" });
  await pool.query(`
    CREATE SCHEMA IF NOT EXISTS bench_skiplocked;
    DROP TABLE IF EXISTS bench_skiplocked.jobs;
    CREATE TABLE bench_skiplocked.jobs (
      id bigserial PRIMARY KEY,
      data jsonb NOT NULL,
      state text NOT NULL DEFAULT 'created',
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      completed_at timestamptz
    );
    CREATE INDEX jobs_waiting_idx ON bench_skiplocked.jobs (id) WHERE state = 'created';`);
  const listener = new pg.Client({ connectionString: databaseUrl });
  await listener.connect();
  let wakers: (() => void)[] = [];
  const wakeAll = () => {
    const current = wakers;
    wakers = [];
    for (const wake of current) wake();
  };
  listener.on("notification", wakeAll);
  await listener.query("LISTEN bench_skiplocked");
  let stopping = false;

  const loop = async () => {
    while (!stopping) {
      const { rows } = await pool.query<{ id: string; data: { t: number } }>(
        `UPDATE bench_skiplocked.jobs SET state = 'active', started_at = now()
          WHERE id IN (SELECT id FROM bench_skiplocked.jobs WHERE state = 'created' ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
          RETURNING id, data`,
        [BATCH],
      );
      if (rows.length === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 1_000);
          wakers.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
        continue;
      }
      await Promise.all(rows.map(async (row) => onStart(row.data.t)));
      await pool.query("UPDATE bench_skiplocked.jobs SET state = 'completed', completed_at = now() WHERE id = ANY($1::bigint[])", [
        rows.map((row) => row.id),
      ]);
    }
  };
  const loops = Array.from({ length: LOOPS }, loop);

  return {
    name: "hand-written SKIP LOCKED loop",
    async enqueue(t) {
      await pool.query("WITH job AS (INSERT INTO bench_skiplocked.jobs (data) VALUES ($1)) SELECT pg_notify('bench_skiplocked', '')", [
        { t },
      ]);
    },
    async close() {
      stopping = true;
      wakeAll();
      await Promise.all(loops);
      await listener.end();
      await pool.end();
    },
  };
}

/** BullMQ on the local Redis (what seed 001 planned), concurrency 32 = 4 × 8. */
export async function bullmqQueue(redisUrl: string, onStart: OnStart): Promise<QueueDriver> {
  const name = `bench-${process.pid}`;
  const connection = () => new Redis(redisUrl, { maxRetriesPerRequest: null });
  const producerConnection = connection();
  const workerConnection = connection();
  const queue = new Queue(name, { connection: producerConnection });
  await queue.obliterate({ force: true });
  const worker = new Worker<{ t: number }>(
    name,
    async (job) => {
      onStart(job.data.t);
    },
    { connection: workerConnection, concurrency: LOOPS * BATCH },
  );
  await worker.waitUntilReady();
  return {
    name: "BullMQ (Redis)",
    async enqueue(t) {
      await queue.add("noop", { t }, { removeOnComplete: true, removeOnFail: 1000 });
    },
    async close() {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
      producerConnection.disconnect();
      workerConnection.disconnect();
    },
  };
}

interface GraphileWorker {
  run(options: Record<string, unknown>): Promise<{ stop(): Promise<void> }>;
  makeWorkerUtils(options: Record<string, unknown>): Promise<{
    migrate(): Promise<void>;
    addJob(task: string, payload: unknown): Promise<unknown>;
    release(): Promise<void>;
  }>;
  Logger: new (factory: () => (level: string, message: string) => void) => unknown;
}

/**
 * graphile-worker on the same database (a Postgres queue with a different design: a stored
 * function claims jobs, LISTEN/NOTIFY wakes workers), concurrency 32 = 4 × 8. It is a benchmark
 * peer, installed with the NestJS/Next.js peers in bench/peers.
 */
export async function graphileQueue(databaseUrl: string, onStart: OnStart): Promise<QueueDriver> {
  const entry = fileURLToPath(new URL("../peers/node_modules/graphile-worker/dist/index.js", import.meta.url));
  const graphile = (await import(entry)) as GraphileWorker;
  const quiet = { schema: "bench_graphile", logger: new graphile.Logger(() => () => {}) };
  const utils = await graphile.makeWorkerUtils({ connectionString: databaseUrl, ...quiet });
  await utils.migrate();
  const runner = await graphile.run({
    connectionString: databaseUrl,
    ...quiet,
    concurrency: LOOPS * BATCH,
    maxPoolSize: 10,
    pollInterval: 1_000,
    noHandleSignals: true,
    taskList: {
      noop: async (payload: { t: number }) => {
        onStart(payload.t);
      },
    },
  });
  return {
    name: "graphile-worker",
    async enqueue(t) {
      await utils.addJob("noop", { t });
    },
    async close() {
      await runner.stop();
      await utils.release();
    },
  };
}

export async function redisVersion(redisUrl: string): Promise<string> {
  const client = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0 });
  try {
    await client.connect();
    const info = await client.info("server");
    return /redis_version:(\S+)/.exec(info)?.[1] ?? "unknown";
  } catch {
    return "not reachable";
  } finally {
    client.disconnect();
  }
}
