import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openPostgres } from "../../src/platform/db/open-postgres.ts";
import { activeJobsIndexName } from "../../src/platform/jobs/active-jobs-index.ts";
import { installQueueSchema } from "../../src/platform/jobs/install-queue-schema.ts";
import { JOBS_QUEUE, QUEUE_SCHEMA } from "../../src/platform/jobs/queues.ts";
import { createTestDatabase, dbKind, type TestDatabase } from "../support/test-database.ts";

const INDEX = activeJobsIndexName("job_common");
const insertJob = `INSERT INTO ${QUEUE_SCHEMA}.job_common (name, data) VALUES ($1, '{}'::jsonb)`;

/**
 * The index is built with a plain CREATE INDEX (ShareLock on job_common) and no lock_timeout, by every
 * serve/worker that migrates on boot. While any transaction that has written to job_common is still
 * open (a tenant transaction that enqueued and then runs long, a bulk import), the CREATE INDEX waits,
 * and every later INSERT/UPDATE on job_common (enqueues, pg-boss's fetch and complete) queues behind
 * it for as long as that transaction lasts, not the "0.3 s, once" the comment prices in.
 */
describe.runIf(dbKind === "postgres")("building the index of active jobs behind an open writer", () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
  });
  afterEach(async () => {
    await t.close();
  });

  it("does not stall other sessions' enqueues while a long transaction that enqueued stays open", async () => {
    await t.db.exec(`DROP INDEX ${QUEUE_SCHEMA}.${INDEX}`);
    const longTx = openPostgres({ url: t.url as string, poolMax: 1 });
    const other = openPostgres({ url: t.url as string, poolMax: 1 });
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const within = <T>(promise: Promise<T>, ms: number) =>
      Promise.race([promise, new Promise<"still waiting">((resolve) => setTimeout(() => resolve("still waiting"), ms))]);
    try {
      let holding!: () => void;
      const held = new Promise<void>((resolve) => {
        holding = resolve;
      });
      const long = longTx.transaction(async (tx) => {
        await tx.query(insertJob, [JOBS_QUEUE]);
        holding();
        await released;
      });
      await held;
      const migrate = installQueueSchema(t.db).catch((error: unknown) => error);
      await new Promise((resolve) => setTimeout(resolve, 300)); // the CREATE INDEX is queued by now
      const enqueue = other.query(insertJob, [JOBS_QUEUE]).then(() => "done");
      const outcome = await within(enqueue, 3_000);
      release();
      await long;
      await migrate;
      await enqueue;
      expect(outcome).toBe("done");
    } finally {
      release();
      await longTx.close();
      await other.close();
    }
  });
});
