import { isConnectionError } from "../db/connection-errors.ts";
import type { Logger } from "../observability/logger.ts";

export interface OutageBackoff {
  /**
   * Runs one statement. When it fails because the database is unreachable, the failure is held
   * back for the current backoff delay (doubling per failure, capped) before it is rethrown, so
   * every loop that awaits its statements (fetch, heartbeats, supervisor, cron) slows down with it.
   */
  guard<T>(run: () => Promise<T>): Promise<T>;
  /**
   * For pg-boss `error` events: true when the error is one this backoff accounts for (the
   * database is unreachable, or the pool was closed by a clean stop), so it is not logged again.
   */
  absorbs(error: unknown): boolean;
  /** Shutdown: no more waiting (a hand-back must fail fast), and errors from the closed pool are expected. */
  stop(): void;
  readonly down: boolean;
}

export interface OutageBackoffOptions {
  log: Logger;
  baseMs?: number;
  maxMs?: number;
}

// pg-boss asserts an open pool before each call; after our own stop that is expected, not an error.
const closedPool = /Database (connection is )?not opened/;

export function outageBackoff({ log, baseMs = 500, maxMs = 15_000 }: OutageBackoffOptions): OutageBackoff {
  let failures = 0;
  let downSince: number | null = null;
  let stopped = false;
  const waits = new Set<() => void>();

  const failed = (error: unknown) => {
    failures++;
    if (downSince === null) {
      downSince = Date.now();
      log.warn(
        { err: error instanceof Error ? error.message : String(error), firstRetryMs: baseMs, maxRetryMs: maxMs },
        "database unreachable: the worker backs off until it returns",
      );
    }
  };

  const wait = () =>
    new Promise<void>((resolve) => {
      // Full jitter over an exponential, capped delay: many workers do not come back in step.
      const delay = Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 20)) * (0.5 + Math.random() / 2);
      const done = () => {
        clearTimeout(timer);
        waits.delete(done);
        resolve();
      };
      const timer = setTimeout(done, delay);
      waits.add(done);
    });

  return {
    async guard(run) {
      try {
        const result = await run();
        if (downSince !== null) {
          log.info({ downMs: Date.now() - downSince, failures }, "database reachable again: the worker resumes");
          downSince = null;
          failures = 0;
        }
        return result;
      } catch (error) {
        if (!isConnectionError(error)) throw error;
        failed(error);
        if (!stopped) await wait();
        throw error;
      }
    },
    absorbs(error) {
      if (stopped && error instanceof Error && closedPool.test(error.message)) return true;
      if (!isConnectionError(error)) return false;
      failed(error);
      return true;
    },
    stop() {
      stopped = true;
      for (const done of [...waits]) done();
    },
    get down() {
      return downSince !== null;
    },
  };
}
