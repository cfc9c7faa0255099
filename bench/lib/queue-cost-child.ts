/**
 * One subject of `bench/queue-cost.ts`, in its own process: opens a queue driver (Backplane from
 * a given checkout, or the SKIP LOCKED loop), then answers "run N jobs" messages with the
 * throughput, this process's CPU, its PostgreSQL backends' CPU and the statements it sent.
 */
import { readFileSync } from "node:fs";
import pg from "pg";

const [checkout, databaseUrl, kind] = process.argv.slice(2) as [string, string, string];

// Count every statement any pg client of this process sends (pools call Client#query).
const statements = new Map<string, number>();
/** Milliseconds from send to answer, per statement (includes queueing on a busy server). */
const elapsed = new Map<string, number>();
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const first = args[0] as string | { text?: string };
  const text = typeof first === "string" ? first : (first?.text ?? "?");
  const key = text.replace(/\s+/g, " ").trim().slice(0, 90);
  statements.set(key, (statements.get(key) ?? 0) + 1);
  const t0 = performance.now();
  const took = () => elapsed.set(key, (elapsed.get(key) ?? 0) + performance.now() - t0);
  const last = args.length - 1;
  const callback = args[last];
  if (typeof callback === "function") {
    args[last] = (...answer: unknown[]) => {
      took();
      return callback(...answer);
    };
  }
  const result = query.apply(this, args);
  if (result instanceof Promise) result.then(took, () => {});
  return result;
} as typeof pg.Client.prototype.query;

const drivers = await import(`${checkout}/bench/scenarios/queue-drivers.ts`);
let started = 0;
let target = 0;
let allStarted: () => void = () => {};
let onStartHook = (_t: number) => {
  if (++started === target) allStarted();
};
const onStart = (t: number) => onStartHook(t);
const driver = kind === "loop" ? await drivers.skipLockedQueue(databaseUrl, onStart) : await drivers.backplaneQueue(databaseUrl, onStart);

const watcher = new pg.Client({ connectionString: databaseUrl, application_name: "queue-cost-watcher" });
await watcher.connect();
const database = new URL(databaseUrl).pathname.slice(1);

/** ns on CPU of every backend of this database (not the watcher), from /proc/<pid>/schedstat. */
const backendPids = async () =>
  (
    (await query.call(watcher, "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [database])) as {
      rows: { pid: number }[];
    }
  ).rows.map((row) => row.pid);
const nanosOf = (pid: number) => {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[0]);
  } catch {
    return Number.NaN;
  }
};

const now = () => performance.timeOrigin + performance.now();

async function run(jobs: number, producers: number) {
  const pidsBefore = await backendPids();
  const before = new Map(pidsBefore.map((pid) => [pid, nanosOf(pid)]));
  statements.clear();
  elapsed.clear();
  const cpu0 = process.cpuUsage();
  started = 0;
  target = jobs;
  const done = new Promise<void>((resolve) => {
    allStarted = resolve;
  });
  const t0 = now();
  let sent = 0;
  await Promise.all(
    Array.from({ length: producers }, async () => {
      while (sent < jobs) {
        sent++;
        await driver.enqueue(now());
      }
    }),
  );
  await done;
  const seconds = (now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const counted = new Map(statements);
  let pgNanos = 0;
  for (const pid of await backendPids()) {
    const after = nanosOf(pid);
    const start = before.get(pid) ?? 0;
    if (Number.isFinite(after) && Number.isFinite(start)) pgNanos += after - start;
  }
  const total = [...counted.values()].reduce((a, b) => a + b, 0);
  return {
    jobsPerSecond: jobs / seconds,
    nodeMicrosPerJob: (cpu.user + cpu.system) / jobs,
    pgMicrosPerJob: pgNanos / 1000 / jobs,
    statementsPerJob: total / jobs,
    top: [...counted.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([text, count]) => [text, count, (elapsed.get(text) ?? 0) / count]),
  };
}

/** Paced jobs (100/s, well under capacity): enqueue → start, p50 and p99 in ms. */
async function latency(jobs: number) {
  const latencies: number[] = [];
  const previous = onStartHook;
  onStartHook = (t) => latencies.push(now() - t);
  for (let i = 0; i < jobs; i++) {
    const next = new Promise((resolve) => setTimeout(resolve, 10));
    await driver.enqueue(now());
    await next;
  }
  while (latencies.length < jobs) await new Promise((resolve) => setTimeout(resolve, 20));
  onStartHook = previous;
  const sorted = latencies.sort((a, b) => a - b);
  return { p50: sorted[Math.floor(jobs * 0.5)], p99: sorted[Math.floor(jobs * 0.99)] };
}

async function idle(seconds: number) {
  statements.clear();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return { statementsPerSecond: [...statements.values()].reduce((a, b) => a + b, 0) / seconds, top: [...statements.entries()] };
}

process.on("message", async (message: { run?: number; producers?: number; idle?: number; latency?: number; close?: boolean }) => {
  if (message.latency) process.send?.({ result: await latency(message.latency) });
  else if (message.run) process.send?.({ result: await run(message.run, message.producers ?? 8) });
  else if (message.idle) process.send?.({ result: await idle(message.idle) });
  else if (message.close) {
    await driver.close();
    await watcher.end();
    process.send?.({ result: "closed" });
    process.exit(0);
  }
});
process.send?.({ ready: true });
