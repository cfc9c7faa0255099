/**
 * `node bench/queue-cost.ts [jobs] [rounds] [subject=checkout ...]`: the queue's cost per job, A/B.
 * Each subject (Backplane's queue from a checkout, or `loop` for the hand-written SKIP LOCKED
 * loop) runs in its own process on its own freshly migrated database; the subjects take turns
 * draining `jobs` no-op jobs from 8 producers (scenario 4's throughput half), `rounds` times.
 * Per job it reports jobs/s, the subject process's CPU, its PostgreSQL backends' CPU (from
 * /proc/<pid>/schedstat, so Linux and a local server only) and the statements it sent, which a
 * loaded machine barely moves. Default subjects: this checkout against QUEUE_COST_BASE.
 * `name=checkout,KEY=value,…` gives one subject its own environment (an A/B of a setting);
 * `QUEUE_BACKLOG=n` there fills its job table with n completed jobs first; QUEUE_COST_LATENCY=1 adds paced enqueue → start rounds, QUEUE_COST_IDLE=1 the idle statements.
 * Its databases (bp_qcost_<n>) are dropped at the end.
 */
import { type ChildProcess, fork } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { benchConfig } from "./config.ts";
import { BENCH_SECRET, dropDatabase } from "./lib/database.ts";
import { runToEnd } from "./lib/proc.ts";
import { fillCompletedJobs } from "./scenarios/queue-backlog.ts";

const root = path.resolve(import.meta.dirname, "..");
const jobs = Number(process.argv[2] ?? 3000);
const rounds = Number(process.argv[3] ?? 5);
const named = process.argv.slice(4).map((arg) => [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] as [string, string]);
const subjects: [string, string][] = named.length
  ? named
  : [["this", root], ...(benchConfig.queueCostBase ? [["base", benchConfig.queueCostBase] as [string, string]] : [])];

interface Sample {
  jobsPerSecond: number;
  nodeMicrosPerJob: number;
  pgMicrosPerJob: number;
  statementsPerJob: number;
  top: [string, number, number][];
}

const databaseUrlFor = (name: string) => benchConfig.databaseUrl.replace(/\/[^/]*$/, `/${name}`);

async function freshDatabase(name: string, checkout: string | null): Promise<string> {
  const admin = new pg.Client({ connectionString: benchConfig.adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = databaseUrlFor(name);
  if (checkout) {
    await runToEnd(process.execPath, [path.join(checkout, "bin/backplane.js"), "migrate"], {
      env: { DATABASE_URL: url, BACKPLANE_SECRET: BENCH_SECRET, LOG_LEVEL: "warn", LOG_PRETTY: "false" },
      timeoutMs: 120_000,
    });
  }
  return url;
}

function ask<T>(child: ChildProcess, message: object): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`subject exited (${code})`));
    const onMessage = (answer: { result?: T }) => {
      if (answer.result === undefined) return;
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(answer.result);
    };
    child.on("message", onMessage);
    child.once("exit", onExit);
    child.send(message);
  });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

async function main() {
  const children: { name: string; child: ChildProcess }[] = [];
  try {
    for (const [index, [name, value]] of subjects.entries()) {
      const [spec = "", ...extra] = value.split(",");
      const loop = spec === "loop";
      const checkout = loop ? root : spec;
      const url = await freshDatabase(`bp_qcost_${index}`, loop ? null : checkout);
      // QUEUE_BACKLOG=n in a subject's environment: n completed jobs in its table first (scenario 4's backlog case).
      const backlog = Number(extra.find((pair) => pair.startsWith("QUEUE_BACKLOG="))?.split("=")[1] ?? 0);
      if (backlog > 0 && !loop) console.log(`${name}: ${JSON.stringify(await fillCompletedJobs(url, backlog))}`);
      const child = fork(path.join(root, "bench/lib/queue-cost-child.ts"), [checkout, url, loop ? "loop" : "backplane"], {
        stdio: ["ignore", "inherit", "inherit", "ipc"],
        // name=checkout,KEY=value,…: environment for that subject only (an A/B of a setting).
        env: { ...benchConfig.childEnv(), ...Object.fromEntries(extra.map((pair) => pair.split("=") as [string, string])) },
      });
      await new Promise<void>((resolve, reject) => {
        child.once("message", () => resolve());
        child.once("exit", (code) => reject(new Error(`${name} exited (${code})`)));
      });
      children.push({ name, child });
    }
    // Warm-up: JIT, pools, plans.
    for (const { child } of children) await ask<Sample>(child, { run: Math.min(jobs, 1000) });
    const samples = new Map<string, Sample[]>(children.map(({ name }) => [name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const { name, child } of children) {
        const sample = await ask<Sample>(child, { run: jobs });
        samples.get(name)?.push(sample);
        console.log(
          `${name.padEnd(12)} ${sample.jobsPerSecond.toFixed(0).padStart(6)} jobs/s  node ${sample.nodeMicrosPerJob.toFixed(0).padStart(5)} µs/job  pg ${sample.pgMicrosPerJob.toFixed(0).padStart(5)} µs/job  ${sample.statementsPerJob.toFixed(2)} statements/job`,
        );
      }
    }
    console.log("\nmedians:");
    for (const [name, list] of samples) {
      const m = (pick: (s: Sample) => number) => median(list.map(pick));
      console.log(
        `${name.padEnd(12)} ${m((s) => s.jobsPerSecond)
          .toFixed(0)
          .padStart(
            6,
          )} jobs/s  node ${m((s) => s.nodeMicrosPerJob).toFixed(0)} µs/job  pg ${m((s) => s.pgMicrosPerJob).toFixed(0)} µs/job  ${m((s) => s.statementsPerJob).toFixed(2)} statements/job`,
      );
      for (const [text, count, ms] of list.at(-1)?.top ?? [])
        console.log(`    ${(count / jobs).toFixed(3).padStart(7)}/job ${ms.toFixed(2).padStart(6)} ms each  ${text}`);
    }
    if (benchConfig.queueCostLatency) {
      // Paced enqueue → start, in turns like the throughput rounds.
      const p50s = new Map<string, number[]>(children.map(({ name }) => [name, []]));
      for (let round = 0; round < rounds; round++) {
        for (const { name, child } of children) {
          const { p50, p99 } = await ask<{ p50: number; p99: number }>(child, { latency: 300 });
          p50s.get(name)?.push(p50);
          console.log(`${name.padEnd(12)} enqueue → start p50 ${p50.toFixed(2)} ms  p99 ${p99.toFixed(2)} ms`);
        }
      }
      for (const [name, list] of p50s) console.log(`${name.padEnd(12)} p50 median ${median(list).toFixed(2)} ms`);
    }
    if (benchConfig.queueCostIdle) {
      for (const { name, child } of children) {
        const idle = await ask<{ statementsPerSecond: number; top: [string, number][] }>(child, { idle: 10 });
        console.log(`${name} idle: ${idle.statementsPerSecond.toFixed(1)} statements/s`);
        for (const [text, count] of idle.top) console.log(`    ${count}  ${text}`);
      }
    }
  } finally {
    for (const { child } of children) await ask(child, { close: true }).catch(() => child.kill("SIGKILL"));
    for (const index of subjects.keys()) await dropDatabase(benchConfig.adminUrl, `bp_qcost_${index}`).catch(() => {});
  }
}

await main();
