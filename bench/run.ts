/**
 * `npm run bench [-- <scenario>…]`: Backplane against bare baselines and the seeds' own stacks,
 * every figure a ratio measured side by side in the same run. See docs/benchmarks.md.
 * Scenarios: overhead, read, keys, queue, memory (runs read), boot, intake, telemetry, webhooks, sync. Not part of `npm test`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { benchConfig } from "./config.ts";
import { compareWithPrevious } from "./lib/compare.ts";
import { cpuReferenceMs } from "./lib/cpu-reference.ts";
import { postgresUnreachable, postgresVersion, prepareDatabase } from "./lib/database.ts";
import { runToEnd } from "./lib/proc.ts";
import { type Figure, type Machine, markdownReport } from "./lib/report.ts";
import { authenticatedRead } from "./scenarios/authenticated-read.ts";
import { boot } from "./scenarios/boot.ts";
import type { Context, Scenario } from "./scenarios/context.ts";
import { httpOverhead } from "./scenarios/http-overhead.ts";
import { keyVerification } from "./scenarios/key-verification.ts";
import { queue, redisVersion } from "./scenarios/queue.ts";
import { telemetryIngest } from "./scenarios/telemetry-ingest.ts";
import { trainingSync } from "./scenarios/training-sync.ts";
import { triggerIntake } from "./scenarios/trigger-intake.ts";
import { webhookIntake } from "./scenarios/webhook-intake.ts";

const scenarios: Scenario[] = [
  httpOverhead,
  authenticatedRead,
  keyVerification,
  queue,
  boot,
  triggerIntake,
  telemetryIngest,
  webhookIntake,
  trainingSync,
];
const aliases: Record<string, string> = {
  memory: "read",
  "1": "overhead",
  "2": "read",
  "3": "keys",
  "4": "queue",
  "5": "read",
  "6": "boot",
  "7": "intake",
  "8": "telemetry",
  "9": "webhooks",
  "10": "sync",
};

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const asked = process.argv.slice(2).map((name) => aliases[name] ?? name);
  const unknown = asked.filter((name) => !scenarios.some((scenario) => scenario.id === name));
  if (unknown.length) {
    log(`Unknown scenario ${unknown.join(", ")}. Choose from: ${scenarios.map((s) => s.id).join(", ")}, memory (or 1–10).`);
    return 2;
  }
  const selected = asked.length ? scenarios.filter((scenario) => asked.includes(scenario.id)) : scenarios;

  const unreachable = await postgresUnreachable(benchConfig.adminUrl);
  if (unreachable) {
    const where = new URL(benchConfig.adminUrl);
    log(
      `Skipping benchmarks: no PostgreSQL reachable at ${where.host} (${unreachable}).\n` +
        "The benchmarks need a real PostgreSQL server; set BENCH_DATABASE_URL to one (the run creates and drops its own database there).",
    );
    return 0;
  }

  const machine: Machine = {
    date: new Date().toISOString().slice(0, 10),
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model.trim() ?? "unknown",
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    postgres: await postgresVersion(benchConfig.adminUrl),
    redis: await redisVersion(benchConfig.redisUrl),
    os: `${os.type()} ${os.release()}`,
    cpuReference: cpuReferenceMs(),
    loadAtStart: os
      .loadavg()
      .map((load) => load.toFixed(2))
      .join(" "),
  };
  log(
    `Backplane benchmarks: ${selected.map((s) => s.id).join(", ")} — ${machine.cores} cores, Node ${machine.node}, PostgreSQL ${machine.postgres}`,
  );
  // Backplane is measured as deployed: built. The launcher runs the bundled CLI (dist/bundle/cli.js)
  // when it is newer than every source file (bin/backplane.js); type-stripped sources boot ~3x
  // slower and idle larger.
  log("Building dist/ and dist/bundle/ (npm run build) so Backplane runs built, as deployed…");
  await runToEnd("npm", ["run", "build"], { cwd: path.resolve(import.meta.dirname, ".."), timeoutMs: 300_000 });
  log(`Preparing database ${benchConfig.databaseName} (drop, create, migrate, seed)…`);
  const seeded = await prepareDatabase(benchConfig);
  const notes: string[] = [
    `Each load: ${benchConfig.connections} keep-alive connections, ${benchConfig.warmupSeconds} s warm-up then ${benchConfig.durationSeconds} s measured (at most ${benchConfig.maxRequestsPerLoad.toLocaleString("en-US")} requests), ${benchConfig.rounds} rounds alternating the subjects.`,
    `Seeded ${seeded.sessions.toLocaleString("en-US")} sessions in 2 orgs.`,
  ];
  const context: Context = { config: benchConfig, seeded, log, notes };

  const figures: Figure[] = [];
  for (const scenario of selected) {
    log(`\n${scenario.title}`);
    const started = performance.now();
    try {
      figures.push(...(await scenario.run(context)));
    } catch (error) {
      log(`  failed: ${(error as Error).stack ?? error}`);
      notes.push(`${scenario.title} failed: ${(error as Error).message.split("\n")[0]}`);
    }
    log(`  (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }

  const name = benchConfig.resultsName ?? machine.date;
  const markdown = [markdownReport(figures, machine, notes), ...compareWithPrevious(figures, benchConfig.resultsDir, name)]
    .join("\n")
    .concat("\n");
  log(`\n${markdown}`);
  mkdirSync(benchConfig.resultsDir, { recursive: true });
  const base = path.join(benchConfig.resultsDir, name);
  writeFileSync(`${base}.md`, markdown);
  writeFileSync(
    `${base}.json`,
    `${JSON.stringify({ machine, config: { ...benchConfig, adminUrl: undefined }, figures, notes }, null, 2)}\n`,
  );
  log(`Wrote ${path.relative(process.cwd(), `${base}.md`)} and .json`);
  return 0;
}

// Every load is bounded, but a wedged dependency must not keep the runner alive either.
const watchdog = setTimeout(() => {
  log("Benchmark exceeded 45 minutes; stopping.");
  process.exit(1);
}, 45 * 60_000);
watchdog.unref();

main().then(
  (code) => process.exit(code),
  (error) => {
    log(`Benchmark failed: ${(error as Error).stack ?? error}`);
    process.exit(1);
  },
);
