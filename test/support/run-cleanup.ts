import { availableModules } from "../../src/modules/registry.ts";
import { catalogOf } from "../../src/platform/catalog.ts";
import type { TestApp } from "./test-app.ts";

/** Runs one registered cleanup (what the daily cleanup tick runs) as of `now`. */
export async function runCleanup(t: TestApp, name: string, now = new Date()): Promise<Record<string, number>> {
  const cleanup = catalogOf(availableModules).cleanups.find((entry) => entry.name === name);
  if (!cleanup) throw new Error(`No cleanup ${name}`);
  return cleanup.run({ db: t.services.db, config: t.services.config, jobs: t.services.jobs, now });
}
