import { type Command, Option } from "commander";
import { loadConfig } from "../../platform/config/config.ts";
import { securityHeaderList } from "../../platform/http/security-headers.ts";
import { listen } from "../../platform/server/listen.ts";
import { createRuntime } from "../../runtime/create-runtime.ts";
import { loggerFor } from "../command-kit.ts";
import { armShutdownDeadline, shutdownBudget } from "../shutdown-budget.ts";
import { signInHint } from "../sign-in-hint.ts";

export interface ServeOptions {
  migrate: boolean;
  /** Also run the job worker in this process (`start`). */
  worker: boolean;
}

/** What a stopper may spend; it runs in parallel with the HTTP drain. */
export interface StopBudget {
  workerDrainSeconds: number;
}

/** Lets other parts (the worker, first-run demo data) hook into `start`/`serve`. */
export type StartHook = (
  runtime: Awaited<ReturnType<typeof createRuntime>>,
  options: ServeOptions,
) => Promise<((budget: StopBudget) => Promise<void>) | void>;
const startHooks: StartHook[] = [];
export function onServerStart(hook: StartHook): void {
  startHooks.push(hook);
}

async function runServer(options: ServeOptions): Promise<void> {
  const config = loadConfig();
  const log = loggerFor(config);
  const bootStarted = performance.now();
  const runtime = await createRuntime(config, log, {
    role: options.worker ? "start" : "serve",
    exposeEmbedded: true,
    migrate: options.migrate && config.MIGRATE_ON_BOOT,
  });
  const stoppers: ((budget: StopBudget) => Promise<void>)[] = [];
  for (const hook of startHooks) {
    const stopper = await hook(runtime, options);
    if (stopper) stoppers.push(stopper);
  }
  const app = runtime.createApp({ servedByListen: true });
  const server = await listen(app, { port: config.PORT, host: config.HOST, headers: securityHeaderList }).catch(async (error: Error) => {
    await runtime.close();
    throw new Error(`cannot listen on ${config.HOST}:${config.PORT}: ${error.message}`);
  });
  log.info({ url: server.url, bootMs: Math.round(performance.now() - bootStarted), database: runtime.services.db.via }, "listening");
  const embedded = runtime.services.db.via !== "postgres" ? runtime.services.db.connectionUrl : null;
  process.stdout.write(
    `\n  Backplane is up: ${server.url}\n  API docs:        ${server.url}/api/docs\n  OpenAPI:         ${server.url}/api/openapi.json\n${
      embedded ? `  Embedded DB:     psql "${embedded}"\n` : ""
    }\n${signInHint(config, server.url, options.worker)}`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const budget = shutdownBudget(config, "server");
    armShutdownDeadline(budget.budgetMs, log);
    log.info({ signal, ...budget }, "shutting down");
    // In parallel: requests in flight and running jobs drain at the same time, inside one budget.
    await Promise.all([
      server.close(budget.httpDrainMs).then(({ drained }) => {
        if (!drained) log.warn("HTTP drain timeout reached; open connections were cut");
      }),
      ...stoppers.map((stopper) => stopper({ workerDrainSeconds: budget.workerDrainSeconds })),
    ]);
    await runtime.close();
    log.info("stopped");
    log.flush();
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}

export function registerServeCommands(program: Command): void {
  const noMigrate = () => new Option("--no-migrate", "do not apply migrations at boot");
  program
    .command("start")
    .description("API and worker in one process (embedded database unless DATABASE_URL is set)")
    .addOption(noMigrate())
    .action((options: { migrate: boolean }) => runServer({ migrate: options.migrate, worker: true }));
  program
    .command("serve")
    .description("API only (run `backplane worker` separately for jobs)")
    .addOption(noMigrate())
    .action((options: { migrate: boolean }) => runServer({ migrate: options.migrate, worker: false }));
}
