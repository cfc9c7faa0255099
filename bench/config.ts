/**
 * Everything the benchmark reads from the environment, in one place. The benchmark is a
 * tool, not the app: it does not go through the app's config schema, but it still reads
 * `process.env` only here.
 */
const env = process.env;

const number = (name: string, fallback: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number ≥ 0 (got "${raw}")`);
  return value;
};

/** A server that can create databases; the benchmark makes (and drops) its own database on it. */
const adminUrl = env.BENCH_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
const databaseName = env.BENCH_DATABASE_NAME || "bp_bench";

export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

export const benchConfig = {
  /** bench/cpu-cost.ts: a second checkout measured in the same batches (the commit before a change). */
  cpuCostBaseCheckout: env.CPU_COST_BASE_CHECKOUT || undefined,
  /** bench/cpu-cost.ts: its own database (BENCH_DATABASE_NAME when set, else bp_cpu), so two runs or `npm run bench` can run beside it. */
  cpuCostDatabaseName: env.BENCH_DATABASE_NAME || "bp_cpu",
  /** bench/cpu-cost.ts: Node/V8 flags for the first Backplane only (an A/B of flags). */
  cpuCostNodeFlags: (env.CPU_COST_NODE_FLAGS ?? "").split(" ").filter(Boolean),
  /** bench/queue-cost.ts: a second checkout (the commit before a change) measured in the same rounds. */
  queueCostBase: env.QUEUE_COST_BASE || undefined,
  /** bench/queue-cost.ts: also measure paced enqueue → start latency, in turns. */
  queueCostLatency: Boolean(env.QUEUE_COST_LATENCY),
  /** bench/queue-cost.ts: also count each subject's statements per second at idle. */
  queueCostIdle: Boolean(env.QUEUE_COST_IDLE),
  /** The environment bench tools hand to the processes they fork (a function: results files never hold it). */
  childEnv: (): Record<string, string | undefined> => ({ ...env }),
  adminUrl,
  databaseName,
  /** The benchmark's own database, dropped and recreated at the start of a run. */
  databaseUrl: withDatabase(adminUrl, databaseName),
  redisUrl: env.BENCH_REDIS_URL || "redis://127.0.0.1:6379",
  /** A/B rounds per scenario (at least 3). */
  rounds: Math.max(3, Math.round(number("BENCH_ROUNDS", 3))),
  /** Seconds of measured load per subject per round (after warm-up). */
  durationSeconds: number("BENCH_DURATION_SECONDS", 5),
  warmupSeconds: number("BENCH_WARMUP_SECONDS", 1),
  /** Concurrent keep-alive connections from the load generator. */
  connections: Math.round(number("BENCH_CONNECTIONS", 10)),
  /** Hard cap on requests per measurement, so a load is bounded in count as well as time. */
  maxRequestsPerLoad: Math.round(number("BENCH_MAX_REQUESTS", 2_000_000)),
  /** A run whose baseline varies more than this across rounds is discarded and retried. */
  maxBaselineSpread: number("BENCH_MAX_BASELINE_SPREAD", 0.1),
  /** Retries of a discarded run before it is reported as flagged. */
  maxRetries: Math.round(number("BENCH_MAX_RETRIES", 2)),
  /** Jobs per queue throughput measurement, and paced jobs per latency measurement. */
  queueJobs: Math.round(number("BENCH_QUEUE_JOBS", 3000)),
  queueLatencyJobs: Math.round(number("BENCH_QUEUE_LATENCY_JOBS", 300)),
  /** Completed jobs already in the job table for the queue's backlog case (0 leaves the case out). */
  queueBacklogJobs: Math.round(number("BENCH_QUEUE_BACKLOG_JOBS", 1_000_000)),
  /** Sessions seeded per org for the authenticated read. */
  sessionsPerOrg: Math.round(number("BENCH_SESSIONS_PER_ORG", 5000)),
  /** Fresh Node processes per boot measurement. */
  bootRuns: Math.round(number("BENCH_BOOT_RUNS", 3)),
  /** Skip the peer install/build (NestJS, Next.js) when set to "1". */
  skipPeers: env.BENCH_SKIP_PEERS === "1",
  /** The committed results folder; BENCH_RESULTS_DIR points a trial run elsewhere. */
  resultsDir: env.BENCH_RESULTS_DIR || new URL("./results/", import.meta.url).pathname,
  /** The results file's name (default: today's date); e.g. 2026-11-26b for a second run that day. */
  resultsName: env.BENCH_RESULTS_NAME || undefined,
};

export type BenchConfig = typeof benchConfig;
