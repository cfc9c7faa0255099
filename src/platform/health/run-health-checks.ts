import type { HealthCheck, Services } from "../module.ts";
import type { Logger } from "../observability/logger.ts";

/** What a caller sees of a check: no error text, which can name hosts, ports and users. */
export interface CheckResult {
  ok: boolean;
  status: "up" | "down";
  latencyMs: number;
}

const CHECK_TIMEOUT_MS = 2_000;

/**
 * Runs every check in parallel, each bounded, so one hung dependency cannot hang the probe.
 * A failure's detail goes to the log (`log`, the request's logger), never into the result.
 */
export async function runHealthChecks(
  checks: Record<string, HealthCheck>,
  services: Services,
  log: Logger = services.log,
): Promise<Record<string, CheckResult>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          check(services),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
          }),
        ]);
        return [name, { ok: true, status: "up", latencyMs: Math.round(performance.now() - started) }] as const;
      } catch (error) {
        const latencyMs = Math.round(performance.now() - started);
        log.warn({ check: name, latencyMs, err: error }, `health check ${name} failed`);
        return [name, { ok: false, status: "down", latencyMs }] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return Object.fromEntries(entries);
}
