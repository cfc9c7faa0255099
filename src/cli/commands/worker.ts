import type { Command } from "commander";
import { loadConfig } from "../../platform/config/config.ts";
import { startWorker } from "../../platform/jobs/start-worker.ts";
import { createRuntime } from "../../runtime/create-runtime.ts";
import { CliError, loggerFor } from "../command-kit.ts";
import { armShutdownDeadline, shutdownBudget } from "../shutdown-budget.ts";
import { onServerStart } from "./serve.ts";

/**
 * `backplane worker`: jobs and cron, no HTTP. SIGTERM/SIGINT drain for up to
 * WORKER_DRAIN_SECONDS, hand unfinished jobs back, and exit 0.
 */
async function runWorker(options: { migrate: boolean }): Promise<void> {
  const config = loadConfig();
  const log = loggerFor(config);
  if (!config.JOBS_ENABLED) throw new CliError("JOBS_ENABLED=false: this deployment runs no jobs");
  const runtime = await createRuntime(config, log, { role: "worker", migrate: options.migrate && config.MIGRATE_ON_BOOT });
  const worker = await startWorker(runtime.services, runtime.modules).catch(async (error: unknown) => {
    await runtime.close();
    throw error;
  });
  process.stdout.write(`backplane worker ${process.pid} is running (drain ${config.WORKER_DRAIN_SECONDS}s on SIGTERM)\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const budget = shutdownBudget(config, "worker");
    armShutdownDeadline(budget.budgetMs, log);
    log.info({ signal, drainSeconds: budget.workerDrainSeconds, budgetMs: budget.budgetMs, running: worker.running }, "worker draining");
    await worker.stop(budget.workerDrainSeconds);
    await runtime.close();
    log.flush();
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}

export function registerWorkerCommand(program: Command): void {
  program
    .command("worker")
    .description("Run jobs and cron only (no HTTP); SIGTERM drains for WORKER_DRAIN_SECONDS, then exits 0")
    .option("--no-migrate", "do not apply migrations at boot")
    .action(runWorker);
  // `backplane start` runs the worker in the API process.
  onServerStart(async (runtime, options) => {
    if (!options.worker || !runtime.services.config.JOBS_ENABLED) return;
    const worker = await startWorker(runtime.services, runtime.modules);
    return async ({ workerDrainSeconds }) => {
      await worker.stop(workerDrainSeconds);
    };
  });
}
