import { collectMetrics } from "../metrics/collect-metrics.ts";
import { runCleanups } from "./run-cleanups.ts";
import type { TickedTask } from "./run-tick.ts";

/** Seed 002's vercel.json crons (UTC), each also a worker schedule; the tick ledger runs each tick once. */
export const cleanupTask: TickedTask = {
  job: "platform.cleanup",
  cron: "0 2 * * *",
  path: "/api/privacy/cron/cleanup",
  run: runCleanups,
};

export const metricsTask: TickedTask = {
  job: "platform.metrics-collect",
  cron: "0 */6 * * *",
  path: "/api/metrics/collect",
  run: collectMetrics,
};

export const tickedTasks: readonly TickedTask[] = [cleanupTask, metricsTask];
