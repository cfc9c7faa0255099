import { type Config, ConfigError } from "../platform/config/config.ts";
import { DatabaseUnreachableError } from "../platform/db/connection-errors.ts";
import { MigrationError } from "../platform/migrations/apply-migrations.ts";
import { createLogger, type Logger } from "../platform/observability/logger.ts";

/** Human-readable logs on a terminal in development, JSON everywhere else. */
export function loggerFor(config: Config): Logger {
  const pretty = config.LOG_PRETTY ?? (process.stdout.isTTY === true && config.NODE_ENV !== "production");
  return createLogger({ level: config.LOG_LEVEL, pretty });
}

/** A logger for short commands: quiet unless something goes wrong. */
export function quietLogger(config: Config, json = false): Logger {
  return createLogger({ level: json ? "silent" : config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL });
}

/** Expected failures (bad config, a refused migration) end in one line, not a stack. */
export function fail(error: unknown): never {
  const expected =
    error instanceof ConfigError ||
    error instanceof MigrationError ||
    error instanceof CliError ||
    error instanceof DatabaseUnreachableError;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`backplane: ${expected ? message : `error: ${message}`}\n`);
  process.exit(1);
}

/** A usage or input error a command reports in one line. */
export class CliError extends Error {
  override name = "CliError";
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
