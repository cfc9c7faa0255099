import { failJobsByHeartbeat, failJobsByTimeout } from "pg-boss/dist/plans.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openPostgres } from "../../src/platform/db/open-postgres.ts";
import { activeJobsIndexName } from "../../src/platform/jobs/active-jobs-index.ts";
import { installQueueSchema } from "../../src/platform/jobs/install-queue-schema.ts";
import { DEAD_LETTER_QUEUE, JOBS_QUEUE, QUEUE_SCHEMA } from "../../src/platform/jobs/queues.ts";
import { createTestDatabase, dbKind, type TestDatabase } from "../support/test-database.ts";

const TABLE = "job_common";
const INDEX = activeJobsIndexName(TABLE);
const insertJob = `INSERT INTO ${QUEUE_SCHEMA}.${TABLE} (name, data) VALUES ($1, '{}'::jsonb)`;

/** The rows pg-boss's supervise sweep deletes: the WHERE of its `DELETE … RETURNING *`, as pg-boss writes it. */
function sweepPredicate(statement: string): string {
  const where = /DELETE FROM \S+\s+WHERE ([\s\S]+?)\s+RETURNING \*/.exec(statement)?.[1];
  if (!where) throw new Error("pg-boss's sweep no longer has the shape this test reads");
  return where;
}

const sweeps = {
  timeout: sweepPredicate(failJobsByTimeout(QUEUE_SCHEMA, TABLE, [JOBS_QUEUE, DEAD_LETTER_QUEUE], false)),
  heartbeat: sweepPredicate(failJobsByHeartbeat(QUEUE_SCHEMA, TABLE, [JOBS_QUEUE, DEAD_LETTER_QUEUE], false)),
};

/** Backplane's index of active jobs, which takes pg-boss's supervise sweeps off full-table scans. */
describe("the index of active jobs", () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
  });
  afterEach(async () => {
    await t.close();
  });

  const indexState = async () =>
    (
      await t.db.query<{ valid: boolean; def: string }>(
        "SELECT i.indisvalid AS valid, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i WHERE i.indexrelid = to_regclass($1)",
        [`${QUEUE_SCHEMA}.${INDEX}`],
      )
    )[0] ?? null;

  it("is on a migrated database, and pg-boss's timeout and heartbeat sweeps read it instead of the completed backlog", async () => {
    expect(await indexState()).toMatchObject({ valid: true, def: expect.stringContaining("WHERE (state = 'active'") });
    // A retention backlog: completed jobs, and a few running.
    await t.db.query(
      `INSERT INTO ${QUEUE_SCHEMA}.${TABLE} (name, data, state, started_on, completed_on)
       SELECT $1, '{}'::jsonb, CASE WHEN i % 1000 = 0 THEN 'active' ELSE 'completed' END::${QUEUE_SCHEMA}.job_state,
              now() - interval '1 hour', CASE WHEN i % 1000 = 0 THEN NULL ELSE now() END
       FROM generate_series(1, 20000) AS i`,
      [JOBS_QUEUE],
    );
    await t.db.exec(`ANALYZE ${QUEUE_SCHEMA}.${TABLE}`);
    for (const [sweep, where] of Object.entries(sweeps)) {
      const plan = (await t.db.query<{ "QUERY PLAN": string }>(`EXPLAIN SELECT 1 FROM ${QUEUE_SCHEMA}.${TABLE} WHERE ${where}`))
        .map((row) => row["QUERY PLAN"])
        .join("\n");
      expect(plan, `${sweep} sweep`).toContain(INDEX);
      expect(plan, `${sweep} sweep`).not.toContain("Seq Scan");
    }
  });

  it("comes back on the next migrate when it is missing, and only once", async () => {
    await t.db.exec(`DROP INDEX ${QUEUE_SCHEMA}.${INDEX}`);
    expect(await indexState()).toBeNull();
    expect(await installQueueSchema(t.db)).toEqual([{ module: "jobs", version: 0, name: `index ${INDEX}` }]);
    expect(await indexState()).toMatchObject({ valid: true });
    expect(await installQueueSchema(t.db)).toEqual([]);
  });

  it("replaces an invalid one (a failed CONCURRENTLY build leaves such an index behind)", async () => {
    await t.db.query("UPDATE pg_index SET indisvalid = false WHERE indexrelid = to_regclass($1)", [`${QUEUE_SCHEMA}.${INDEX}`]);
    expect(await indexState()).toMatchObject({ valid: false });
    expect(await installQueueSchema(t.db)).toEqual([{ module: "jobs", version: 0, name: `index ${INDEX}` }]);
    expect(await indexState()).toMatchObject({ valid: true });
  });

  it("is built once when several installs race", async () => {
    await t.db.exec(`DROP INDEX ${QUEUE_SCHEMA}.${INDEX}`);
    const results = await Promise.all([installQueueSchema(t.db), installQueueSchema(t.db), installQueueSchema(t.db)]);
    expect(results.flat()).toEqual([{ module: "jobs", version: 0, name: `index ${INDEX}` }]);
    expect(await indexState()).toMatchObject({ valid: true });
  });

  /**
   * The build takes a ShareLock on job_common, so it waits for every open transaction that wrote to
   * the table (a tenant transaction that enqueued and then runs long, a bulk import), and every
   * later INSERT/UPDATE there (enqueues, pg-boss's fetch and complete) queues behind it: the build
   * must give up after a short lock_timeout instead of holding the queue that long.
   */
  it.runIf(dbKind === "postgres")("does not stall other sessions' enqueues while a long transaction that enqueued stays open", async () => {
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
      // The build gave up waiting (lock_timeout) rather than hold the queue; the next migrate builds it.
      expect(await migrate).toEqual([]);
      await enqueue;
      expect(outcome).toBe("done");
      expect(await installQueueSchema(t.db)).toEqual([{ module: "jobs", version: 0, name: `index ${INDEX}` }]);
    } finally {
      release();
      await longTx.close();
      await other.close();
    }
  });

  /**
   * Under a REPEATABLE READ (or SERIALIZABLE) default, the snapshot would be taken by the advisory
   * lock statement, before the lock is granted, so a waiter would not see the index its holder
   * committed and would run CREATE INDEX again (42P07): the build runs read committed.
   */
  it.runIf(dbKind === "postgres")("is built once when several installs race under a REPEATABLE READ database default", async () => {
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
