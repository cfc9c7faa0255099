import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openPostgres } from "../../src/platform/db/open-postgres.ts";
import { activeJobsIndexName } from "../../src/platform/jobs/active-jobs-index.ts";
import { installQueueSchema } from "../../src/platform/jobs/install-queue-schema.ts";
import { QUEUE_SCHEMA } from "../../src/platform/jobs/queues.ts";
import { createTestDatabase, dbKind, type TestDatabase } from "../support/test-database.ts";

const INDEX = activeJobsIndexName("job_common");

/**
 * createActiveJobsIndex takes its advisory lock with the transaction's first statement and then reads
 * pg_index. Under a database whose default_transaction_isolation is REPEATABLE READ (or SERIALIZABLE),
 * the transaction snapshot is taken by that first statement, before the lock is granted, so a waiter
 * does not see the index the lock holder committed: it runs CREATE INDEX again and fails with 42P07
 * "relation already exists". Instances booting together (serve/worker migrate on boot) then crash.
 */
describe.runIf(dbKind === "postgres")("the index of active jobs under REPEATABLE READ by default", () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
  });
  afterEach(async () => {
    await t.close();
  });

  it("is built once when several installs race", async () => {
    await t.db.exec(`DROP INDEX ${QUEUE_SCHEMA}.${INDEX}`);
    const [{ name } = { name: "" }] = await t.db.query<{ name: string }>("SELECT current_database() AS name");
    await t.db.exec(`ALTER DATABASE "${name}" SET default_transaction_isolation = 'repeatable read'`);
    // New connections pick the setting up.
    const db = openPostgres({ url: t.url as string, poolMax: 5 });
    try {
      const [{ level } = { level: "" }] = await db.query<{ level: string }>("SELECT current_setting('transaction_isolation') AS level");
      expect(level).toBe("repeatable read");
      const results = await Promise.allSettled([installQueueSchema(db), installQueueSchema(db), installQueueSchema(db)]);
      expect(results.filter((result) => result.status === "rejected").map((result) => String(result.reason))).toEqual([]);
      expect(results.flatMap((result) => (result.status === "fulfilled" ? result.value : []))).toEqual([
        { module: "jobs", version: 0, name: `index ${INDEX}` },
      ]);
    } finally {
      await db.close();
    }
  });
});
