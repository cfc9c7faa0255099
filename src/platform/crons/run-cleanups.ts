import type { Catalog } from "../catalog.ts";
import type { Services } from "../module.ts";

/**
 * Runs every registered cleanup (platform first, then each module) as of `now`, the tick's time.
 * One failing cleanup does not stop the others; the tick is then marked failed, with each
 * cleanup's counts or error in the result.
 */
export async function runCleanups(
  services: Services,
  catalog: Catalog,
  now: Date,
): Promise<{ ok: boolean; result: { now: string; cleanups: Record<string, Record<string, number> | { error: string }> } }> {
  const cleanups: Record<string, Record<string, number> | { error: string }> = {};
  let ok = true;
  for (const cleanup of catalog.cleanups) {
    try {
      cleanups[cleanup.name] = await cleanup.run({ db: services.db, config: services.config, jobs: services.jobs, now });
    } catch (error) {
      ok = false;
      cleanups[cleanup.name] = { error: error instanceof Error ? error.message : String(error) };
      services.log.warn({ cleanup: cleanup.name, err: error }, "cleanup failed");
    }
  }
  return { ok, result: { now: now.toISOString(), cleanups } };
}
