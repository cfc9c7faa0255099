import { afterEach, describe, expect, it } from "vitest";
import { keepJobStatistics } from "../../src/platform/jobs/job-table-statistics.ts";
import { producerOf } from "../../src/platform/jobs/producer-of.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { dbKind } from "../support/test-database.ts";
import { fastJobsEnv } from "./support/fast-env.ts";
import testModule, { defaultJob } from "./support/jobs-test-module.ts";

let t: TestApp | null = null;

afterEach(async () => {
  await t?.close();
  t = null;
});

const lastAnalyze = async (app: TestApp) =>
  (
    await app.services.db.query<{ analyzed: Date | null }>(
      "SELECT GREATEST(last_analyze, last_autoanalyze) AS analyzed FROM pg_stat_user_tables WHERE schemaname = 'pgboss' AND relname = 'job_common'",
    )
  )[0]?.analyzed ?? null;

// Autovacuum is a server setting: only a real server has one (the test server runs with it off, as CI does).
describe.runIf(dbKind === "postgres")("pg-boss's table statistics", () => {
  it("analyzes the job table when autovacuum is off and it changed past autovacuum's threshold, and only then", async () => {
    t = await createTestApp({ env: fastJobsEnv, modules: [testModule] });
    const app = t;
    const statistics = keepJobStatistics(await producerOf(app.services.jobs), {
      log: app.services.log,
      intervalSeconds: 3600,
      absorbs: () => false,
    });
    try {
      const [setting] = await app.services.db.query<{ autovacuum: string }>("SELECT current_setting('autovacuum') AS autovacuum");
      for (let i = 0; i < 120; i++) await app.services.jobs.enqueue(defaultJob, { key: `k${i}` });
      // pg_stat counters reach the view when the writing backend reports them (at most ~1 s later).
      await app.services.db.query("SELECT pg_stat_force_next_flush()");
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      if (setting?.autovacuum === "off") {
        expect(await statistics.check()).toContain("pgboss.job_common");
        expect(await lastAnalyze(app)).not.toBeNull();
        // Analyzed: nothing to do until it changes by autovacuum's threshold again.
        expect(await statistics.check()).toEqual([]);
      } else {
        expect(await statistics.check()).toEqual([]);
      }
    } finally {
      statistics.stop();
    }
  });
});
