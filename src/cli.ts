import { Command, Option } from "commander";
import { createRuntime } from "./platform/boot/create-runtime.ts";
import { migrationsFor } from "./platform/boot/migrations-for.ts";
import { ConfigError, loadConfig, type Config } from "./platform/config/config.ts";
import { MigrationError } from "./platform/migrations/apply-migrations.ts";
import { createLogger, type Logger } from "./platform/observability/logger.ts";
import { listen } from "./platform/server/listen.ts";

function loggerFor(config: Config): Logger {
  const pretty = config.LOG_PRETTY ?? (process.stdout.isTTY === true && config.NODE_ENV !== "production");
  return createLogger({ level: config.LOG_LEVEL, pretty });
}

/** Expected failures (bad config, a refused migration) end in one line, not a stack. */
function fail(error: unknown): never {
  const expected = error instanceof ConfigError || error instanceof MigrationError;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`backplane: ${expected ? message : `error: ${message}`}\n`);
  process.exit(1);
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

interface ServeOptions {
  migrate: boolean;
  worker: boolean;
}

async function runServer(options: ServeOptions): Promise<void> {
  const config = loadConfig();
  const log = loggerFor(config);
  const bootStarted = performance.now();
  const runtime = await createRuntime(config, log, { role: options.worker ? "start" : "serve", exposeEmbedded: true, migrate: options.migrate });
  const app = runtime.createApp();
  const server = await listen(app, { port: config.PORT, host: config.HOST }).catch(async (error: Error) => {
    await runtime.close();
    throw new Error(`cannot listen on ${config.HOST}:${config.PORT}: ${error.message}`);
  });
  log.info({ url: server.url, bootMs: Math.round(performance.now() - bootStarted), database: runtime.services.db.via }, "listening");
  process.stdout.write(
    [
      "",
      `  Backplane is up: ${server.url}`,
      `  API docs:        ${server.url}/api/docs`,
      `  OpenAPI:         ${server.url}/api/openapi.json`,
      runtime.services.db.connectionUrl && runtime.services.db.via !== "postgres" ? `  Embedded DB:     psql "${runtime.services.db.connectionUrl}"` : null,
      "",
    ]
      .filter((line) => line !== null)
      .join("\n") + "\n",
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, "shutting down");
    const { drained } = await server.close(config.SHUTDOWN_TIMEOUT_MS);
    if (!drained) log.warn("shutdown timeout reached; open connections were cut");
    await runtime.close();
    log.info("stopped");
    log.flush?.();
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}

async function runMigrate(options: { json?: boolean }): Promise<void> {
  const config = loadConfig();
  const log = createLogger({ level: options.json ? "silent" : "warn" });
  const runtime = await createRuntime(config, log, { role: "migrate" });
  const total = migrationsFor(runtime.modules).length;
  await runtime.close();
  if (options.json) printJson({ applied: runtime.applied, total });
  else if (runtime.applied.length === 0) process.stdout.write(`Database is up to date (${total} migrations).\n`);
  else for (const migration of runtime.applied) process.stdout.write(`applied ${migration.module}/${migration.name}\n`);
}

export function buildCli(): Command {
  const program = new Command("backplane")
    .description("Backplane: API keys, jobs, webhooks, health and OpenAPI on PostgreSQL")
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) });

  const noMigrate = new Option("--no-migrate", "do not apply migrations at boot");
  program
    .command("start")
    .description("API and worker in one process (embedded database unless DATABASE_URL is set)")
    .addOption(noMigrate)
    .action((options: { migrate: boolean }) => runServer({ migrate: options.migrate, worker: true }));
  program
    .command("serve")
    .description("API only (run `backplane worker` separately for jobs)")
    .addOption(noMigrate)
    .action((options: { migrate: boolean }) => runServer({ migrate: options.migrate, worker: false }));
  program.command("migrate").description("Apply pending migrations and exit").option("--json", "print the result as JSON").action(runMigrate);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    fail(error);
  }
}
