import { type Config, loadConfig } from "../platform/config/config.ts";
import { AppError } from "../platform/http/errors.ts";
import { createRuntime, type Runtime } from "../runtime/create-runtime.ts";
import { CliError, quietLogger } from "./command-kit.ts";

/**
 * Opens the configured database (migrated), runs `fn`, closes it. A service's AppError
 * (bad input, not found, conflict) becomes a one-line CLI error.
 */
export async function withDatabase<T>(
  role: string,
  json: boolean | undefined,
  fn: (runtime: Runtime, config: Config) => Promise<T>,
): Promise<T> {
  const config = loadConfig();
  const runtime = await createRuntime(config, quietLogger(config, json), { role });
  try {
    return await fn(runtime, config);
  } catch (error) {
    if (error instanceof AppError && error.status < 500) throw new CliError(error.message);
    throw error;
  } finally {
    await runtime.close();
  }
}
