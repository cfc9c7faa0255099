import type { Config } from "../platform/config/config.ts";
import type { Logger } from "../platform/observability/logger.ts";

/**
 * Kept back from a budget for what follows the drains: handing unfinished jobs back (≤ 1.5 s),
 * letting the queue settle and stop (≤ 2 s), closing the database.
 */
export const CLOSE_RESERVE_MS = 5_000;

export interface ShutdownBudget {
  /** From the signal to the exit. */
  budgetMs: number;
  /** How long in-flight HTTP requests may finish (run in parallel with the worker's drain). */
  httpDrainMs: number;
  /** How long running jobs may finish before they are handed back. */
  workerDrainSeconds: number;
}

/**
 * `start`/`serve`: one budget, SHUTDOWN_TIMEOUT_MS, with the HTTP drain and the worker's drain
 * (WORKER_DRAIN_SECONDS, capped to fit) running side by side inside it. The standalone `worker`
 * drains for WORKER_DRAIN_SECONDS and keeps the same reserve after it.
 */
export function shutdownBudget(config: Config, process: "server" | "worker"): ShutdownBudget {
  if (process === "worker") {
    const drainMs = config.WORKER_DRAIN_SECONDS * 1000;
    return { budgetMs: drainMs + CLOSE_RESERVE_MS, httpDrainMs: 0, workerDrainSeconds: config.WORKER_DRAIN_SECONDS };
  }
  const budgetMs = config.SHUTDOWN_TIMEOUT_MS;
  const drainMs = Math.max(0, budgetMs - CLOSE_RESERVE_MS);
  return { budgetMs, httpDrainMs: drainMs, workerDrainSeconds: Math.min(config.WORKER_DRAIN_SECONDS, drainMs / 1000) };
}

/** A shutdown that overruns its budget (a hung close) exits anyway, before the platform's SIGKILL. */
export function armShutdownDeadline(budgetMs: number, log: Logger): void {
  setTimeout(() => {
    log.error({ budgetMs }, "shutdown budget exceeded: exiting now");
    log.flush();
    process.exit(1);
  }, budgetMs).unref();
}
