import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { installQueueSchema } from "../../src/platform/jobs/install-queue-schema.ts";
import { BOSS_SCHEMA_VERSION, readQueueInstall } from "../../src/platform/jobs/queue-install.ts";
import { DEAD_LETTER_QUEUE, JOBS_QUEUE, QUEUE_SCHEMA } from "../../src/platform/jobs/queues.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";

/**
 * pg-boss's schema installed but Backplane's queues not (yet) created: a first migrate interrupted
 * between pg-boss's install and createQueue, or pg-boss installed by its own CLI or another app.
 * readQueueInstall's LEFT JOIN then yields a row whose q.table_name is NULL, and the index probe's
 * format('%I.%I', …, NULL || '_bp_active') raises 22004 "null values cannot be formatted as an SQL
 * identifier" instead of reporting "no queues": migrate can never create the queues again.
 */
describe("pg-boss installed without Backplane's queues", () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
    // The jobs queue references the DLQ (dead_letter), so it goes first.
    await t.db.query(`SELECT ${QUEUE_SCHEMA}.delete_queue($1)`, [JOBS_QUEUE]);
    await t.db.query(`SELECT ${QUEUE_SCHEMA}.delete_queue($1)`, [DEAD_LETTER_QUEUE]);
  });
  afterEach(async () => {
    await t.close();
  });

  it("readQueueInstall reports the version and no queues instead of throwing", async () => {
    const install = await readQueueInstall(t.db);
    expect(install.version).toBe(BOSS_SCHEMA_VERSION);
    expect(install.queues.size).toBe(0);
  });

  it("the next migrate (installQueueSchema) creates both queues", async () => {
    const applied = await installQueueSchema(t.db);
    expect(applied.map((migration) => migration.name)).toEqual(
      expect.arrayContaining([`queue ${DEAD_LETTER_QUEUE}`, `queue ${JOBS_QUEUE}`]),
    );
    const install = await readQueueInstall(t.db);
    expect([...install.queues.keys()].sort()).toEqual([DEAD_LETTER_QUEUE, JOBS_QUEUE].sort());
  });
});
