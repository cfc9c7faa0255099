import { failJobsByHeartbeat, failJobsByTimeout } from "pg-boss/dist/plans.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { activeJobsIndexName } from "../../src/platform/jobs/active-jobs-index.ts";
import { installQueueSchema } from "../../src/platform/jobs/install-queue-schema.ts";
import { DEAD_LETTER_QUEUE, JOBS_QUEUE, QUEUE_SCHEMA } from "../../src/platform/jobs/queues.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";

const TABLE = "job_common";
const INDEX = activeJobsIndexName(TABLE);

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
});
