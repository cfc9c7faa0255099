import { setTimeout as sleep } from "node:timers/promises";
import { dropDatabase, freshMigratedDatabase } from "../lib/database.ts";
import { installPeers } from "../lib/peers.ts";
import { type Figure, ratios } from "../lib/report.ts";
import { alternate } from "../lib/rounds.ts";
import { percentile, spread } from "../lib/stats.ts";
import type { Context, Scenario } from "./context.ts";
import { fillCompletedJobs } from "./queue-backlog.ts";
import {
  backplaneQueue,
  bullmqQueue,
  graphileQueue,
  type OnStart,
  type QueueDriver,
  redisVersion,
  skipLockedQueue,
} from "./queue-drivers.ts";

export { redisVersion };

const title = "4. Queue (no-op jobs, enqueue → start)";
const PRODUCERS = 8;
const LATENCY_RATE_PER_SECOND = 100;
const ROUND_TIMEOUT_MS = 60_000;

interface QueueSample {
  jobsPerSecond: number;
  p50: number;
  p99: number;
}

const now = () => performance.timeOrigin + performance.now();

/**
 * Each driver runs in this process, so enqueue and start times come from one clock.
 * Throughput: `queueJobs` jobs from 8 concurrent producers, timed from the first enqueue to
 * the last job's start. Latency: `queueLatencyJobs` jobs paced at 100/s (well under every
 * subject's capacity, so it measures wake-up, not backlog), enqueue → handler start.
 */
async function measure(
  driver: QueueDriver,
  hooks: { set(onStart: OnStart): void },
  jobs: number,
  latencyJobs: number,
): Promise<QueueSample> {
  // Throughput.
  let started = 0;
  let allStarted: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    allStarted = resolve;
  });
  hooks.set(() => {
    if (++started === jobs) allStarted();
  });
  const t0 = now();
  let sent = 0;
  await Promise.all(
    Array.from({ length: PRODUCERS }, async () => {
      while (sent < jobs) {
        sent++;
        await driver.enqueue(now());
      }
    }),
  );
  const timedOut = await Promise.race([done.then(() => false), sleep(ROUND_TIMEOUT_MS).then(() => true)]);
  if (timedOut) throw new Error(`${driver.name}: only ${started} of ${jobs} jobs started within ${ROUND_TIMEOUT_MS / 1000} s`);
  const jobsPerSecond = jobs / ((now() - t0) / 1000);

  // Latency, paced.
  const latencies: number[] = [];
  hooks.set((enqueuedAt) => {
    latencies.push(now() - enqueuedAt);
  });
  for (let i = 0; i < latencyJobs; i++) {
    const next = sleep(1000 / LATENCY_RATE_PER_SECOND);
    await driver.enqueue(now());
    await next;
  }
  const deadline = Date.now() + ROUND_TIMEOUT_MS;
  while (latencies.length < latencyJobs && Date.now() < deadline) await sleep(20);
  if (latencies.length < latencyJobs) throw new Error(`${driver.name}: only ${latencies.length} of ${latencyJobs} paced jobs started`);
  return { jobsPerSecond, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

interface Opened {
  driver: QueueDriver;
  hooks: { set(onStart: OnStart): void };
}

/** One queue as a subject of `alternate`: measured with the scenario's job counts, its sample logged. */
function measuredSubject(context: Context, { driver, hooks }: Opened, nameWidth: number) {
  return {
    name: driver.name,
    measure: async () => {
      const sample = await measure(driver, hooks, context.config.queueJobs, context.config.queueLatencyJobs);
      context.log(
        `  ${driver.name.padEnd(nameWidth)} ${sample.jobsPerSecond.toFixed(0).padStart(6)} jobs/s  p50 ${sample.p50.toFixed(2)} ms  p99 ${sample.p99.toFixed(2)} ms`,
      );
      return sample;
    },
  };
}

async function openDriver(make: (onStart: OnStart) => Promise<QueueDriver>): Promise<Opened> {
  let current: OnStart = () => {};
  const hooks = { set: (onStart: OnStart) => (current = onStart) };
  const driver = await make((t) => current(t));
  return { driver, hooks };
}

const count = (n: number) => n.toLocaleString("en-US");

/**
 * pg-boss's supervise pass scans the whole job table every JOBS_SUPERVISE_SECONDS (10 s): on the
 * backlog's 1M rows that is 1.2–2.3 s of CPU. A round pair lasts about as long as that period, so
 * without a pause the pass fell in the same subject's window every round, and the ratio read
 * 1.27× or 0.71× depending on the phase. A random pause before each measurement spreads the
 * passes over both subjects in proportion to the time they run, which is what a user pays.
 */
const SUPERVISE_PERIOD_MS = 12_000;
const BACKLOG_ROUNDS = 5;

function afterRandomPause<T extends { measure: () => Promise<QueueSample> }>(subject: T): T {
  const measure = async () => {
    await sleep(Math.random() * SUPERVISE_PERIOD_MS);
    return subject.measure();
  };
  return { ...subject, measure };
}

/**
 * Throughput must hold with a large completed backlog in the job table, not only on a near-empty
 * one: a second Backplane queue on a database of its own holding `queueBacklogJobs` completed jobs,
 * alternated with the scenario's own (a few thousand jobs in its table), throughput and latency as
 * above. The backlog database is dropped afterwards.
 */
async function backlogCase(context: Context, without: Opened): Promise<Figure[]> {
  const { config } = context;
  const jobs = config.queueBacklogJobs;
  const databaseName = `${config.databaseName}_backlog`;
  const url = await freshMigratedDatabase(config.adminUrl, databaseName);
  let backlog: Opened | null = null;
  try {
    const fill = await fillCompletedJobs(url, jobs);
    const mib = fill.tableBytes / 2 ** 20;
    context.log(
      `  backlog: ${count(jobs)} completed jobs inserted and vacuumed in ${fill.seconds.toFixed(0)} s (job table ${mib.toFixed(0)} MiB)`,
    );
    const opened = await openDriver((onStart) => backplaneQueue(url, onStart));
    backlog = { ...opened, driver: { ...opened.driver, name: `Backplane, ${count(jobs)} completed jobs in the table` } };
    const subjects = [backlog, without];
    const result = await alternate<QueueSample>({
      subjects: subjects.map((subject) => afterRandomPause(measuredSubject(context, subject, 52))),
      // More rounds than elsewhere: each is charged a supervise pass or not, by chance.
      rounds: Math.max(config.rounds, BACKLOG_ROUNDS),
      baseline: without.driver.name,
      value: (sample) => sample.jobsPerSecond,
      maxSpread: config.maxBaselineSpread,
      // Bounded: the case is reported (flagged if unstable) rather than repeated.
      maxRetries: 0,
      log: context.log,
    });
    context.notes.push(
      `${title} / backlog: ${count(jobs)} completed jobs put in a database of their own with one INSERT … SELECT generate_series and VACUUM (ANALYZE) (${fill.seconds.toFixed(0)} s, job table ${mib.toFixed(0)} MiB), then alternated with the scenario's own queue (a few thousand jobs in its table)`,
    );
    const of = (name: string, pick: (sample: QueueSample) => number) => (result.samples[name] ?? []).map(pick);
    const figure = (metric: string, unit: string, pick: (sample: QueueSample) => number): Figure => ({
      scenario: title,
      metric,
      unit,
      backplane: spread(of(backlog?.driver.name ?? "", pick)),
      baselines: [
        {
          name: "the same without the backlog",
          value: spread(of(without.driver.name, pick)),
          ratio: ratios(of(backlog?.driver.name ?? "", pick), of(without.driver.name, pick)),
        },
      ],
      flagged: result.flagged,
    });
    const throughput = figure(`jobs/s with ${count(jobs)} completed jobs in the table`, "", (sample) => sample.jobsPerSecond);
    throughput.target = { text: "holds: ≥ 0.9× without the backlog", pass: (throughput.baselines[0]?.ratio.median ?? 0) >= 0.9 };
    const p50 = figure(`enqueue → start p50 with ${count(jobs)} completed jobs`, " ms", (sample) => sample.p50);
    p50.target = { text: "≤ 10 ms", pass: p50.backplane.median <= 10 };
    return [throughput, p50];
  } finally {
    await backlog?.driver.close().catch((error: Error) => context.log(`  closing the backlog queue: ${error.message}`));
    await dropDatabase(config.adminUrl, databaseName).catch((error: Error) => context.log(`  dropping ${databaseName}: ${error.message}`));
  }
}

export const queue: Scenario = {
  id: "queue",
  title,
  async run(context: Context): Promise<Figure[]> {
    const { config } = context;
    const drivers: Opened[] = [];
    const open = async (make: (onStart: OnStart) => Promise<QueueDriver>) => {
      const opened = await openDriver(make);
      drivers.push(opened);
      return opened;
    };
    try {
      const backplane = await open((onStart) => backplaneQueue(config.databaseUrl, onStart));
      const skipLocked = await open((onStart) => skipLockedQueue(config.databaseUrl, onStart));
      const subjects = [backplane, skipLocked];
      let graphile: Opened | undefined;
      try {
        if (config.skipPeers) throw new Error("BENCH_SKIP_PEERS=1");
        await installPeers(context.log);
        graphile = await open((onStart) => graphileQueue(config.databaseUrl, onStart));
      } catch (error) {
        const reason = (error as Error).message.split("\n")[0];
        context.log(`  !! graphile-worker not measured: ${reason}`);
        context.notes.push(`graphile-worker not measured: ${reason}`);
      }
      if ((await redisVersion(config.redisUrl)) === "not reachable") {
        context.notes.push(`BullMQ not measured: no Redis at ${config.redisUrl}.`);
      } else {
        subjects.push(await open((onStart) => bullmqQueue(config.redisUrl, onStart)));
      }
      if (graphile) subjects.push(graphile);
      const result = await alternate<QueueSample>({
        subjects: subjects.map((subject) => measuredSubject(context, subject, 30)),
        rounds: config.rounds,
        baseline: skipLocked.driver.name,
        value: (sample) => sample.jobsPerSecond,
        maxSpread: config.maxBaselineSpread,
        maxRetries: config.maxRetries,
        log: context.log,
      });
      const of = (name: string, pick: (sample: QueueSample) => number) => (result.samples[name] ?? []).map(pick);
      const baselines = subjects.slice(1).map(({ driver }) => driver.name);
      const figure = (metric: string, unit: string, pick: (sample: QueueSample) => number): Figure => ({
        scenario: title,
        metric,
        unit,
        backplane: spread(of(backplane.driver.name, pick)),
        baselines: baselines.map((name) => ({
          name,
          value: spread(of(name, pick)),
          ratio: ratios(of(backplane.driver.name, pick), of(name, pick)),
        })),
        flagged: result.flagged,
      });
      const throughput = figure("jobs/s end to end", "", (sample) => sample.jobsPerSecond);
      const ratioTo = (name: string) => throughput.baselines.find((baseline) => baseline.name === name)?.ratio.median ?? 0;
      throughput.target = {
        text: "≥ 1.0× SKIP LOCKED loop and ≥ 0.5× BullMQ (issue #14)",
        pass: ratioTo(skipLocked.driver.name) >= 1 && ratioTo("BullMQ (Redis)") >= 0.5,
      };
      const p50 = figure("enqueue → start p50", " ms", (sample) => sample.p50);
      p50.target = { text: "≤ 10 ms", pass: p50.backplane.median <= 10 };
      const figures = [throughput, p50, figure("enqueue → start p99", " ms", (sample) => sample.p99)];
      if (config.queueBacklogJobs > 0) figures.push(...(await backlogCase(context, backplane)));
      return figures;
    } finally {
      for (const { driver } of drivers)
        await driver.close().catch((error: Error) => context.log(`  closing ${driver.name}: ${error.message}`));
    }
  },
};
