import { afterEach, describe, expect, it } from "vitest";
import { QUEUE_SCHEMA } from "../../src/platform/jobs/queues.ts";
import { type RunningWorker, startWorker } from "../../src/platform/jobs/start-worker.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { fastJobsEnv } from "./support/fast-env.ts";
import testModule from "./support/jobs-test-module.ts";
import { waitFor } from "./support/wait-for.ts";

/** What a worker does as it starts. */
describe("a starting worker", () => {
  let t: TestApp | null = null;
  let worker: RunningWorker | null = null;
  afterEach(async () => {
    await worker?.stop(0);
    worker = null;
    await t?.close();
    t = null;
  });

  /** JOBS_POLL_INTERVAL_SECONDS accepts up to 60 s (pg-boss's cron poll stops at 45): a worker must start at every value it accepts. */
  it("starts at the longest poll interval the config accepts (JOBS_POLL_INTERVAL_SECONDS=60)", async () => {
    t = await createTestApp({ env: { ...fastJobsEnv, JOBS_POLL_INTERVAL_SECONDS: "60" }, modules: [testModule] });
    worker = await startWorker(t.services, [testModule]);
    expect(worker).toBeTruthy();
  });

  /**
   * A pg-boss upgrade can queue index builds in its `bam` table to run after the schema migration,
   * in the background. Someone has to run them: the worker, since `serve` no longer starts pg-boss
   * and the installer stops as soon as the schema is current.
   */
  it("runs pg-boss's pending deferred index build", async () => {
    t = await createTestApp({ env: fastJobsEnv, modules: [testModule] });
    const db = t.services.db;
    await db.query(
      `INSERT INTO ${QUEUE_SCHEMA}.bam (name, version, status, table_name, command)
       VALUES ('probe index', 0, 'pending', 'queue', $1)`,
      [`CREATE INDEX IF NOT EXISTS bam_probe_idx ON ${QUEUE_SCHEMA}.queue (created_on)`],
    );
    // pg-boss checks at most once a minute across processes; the template's install just did.
    await db.query(`UPDATE ${QUEUE_SCHEMA}.version SET bam_on = NULL`);
    const indexExists = async () =>
      (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_indexes WHERE indexname = 'bam_probe_idx'"))[0]?.n === 1;
    expect(await indexExists()).toBe(false);

    worker = await startWorker(t.services, [testModule]);
    const status = await waitFor("the build to complete", async () => {
      const [row] = await db.query<{ status: string }>(`SELECT status FROM ${QUEUE_SCHEMA}.bam WHERE name = 'probe index'`);
      return row?.status === "completed" || row?.status === "failed" ? row.status : null;
    });
    expect(status).toBe("completed");
    expect(await indexExists()).toBe(true);
  });
});
