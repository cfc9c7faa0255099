import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { QUEUE_SCHEMA } from "../../src/platform/jobs/queues.ts";
import { grantEnqueue } from "../../src/platform/tenancy/grant-enqueue.ts";
import { APP_ROLE } from "../../src/platform/tenancy/with-tenant.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";

const JOB_TABLE = `${QUEUE_SCHEMA}.job_common`;

/** The app role's grants on the queue, which every migrate (and so every boot) checks. */
describe("the app role's enqueue grants", () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
  });
  afterEach(async () => {
    await t.close();
  });

  /** The catalog rows a GRANT rewrites; a rewrite makes other sessions re-plan their prepared statements. */
  const catalogVersions = async () =>
    (
      await t.db.query<{ versions: string }>(
        `SELECT (SELECT xmin::text FROM pg_class WHERE oid = $1::regclass) || '/' ||
                (SELECT xmin::text FROM pg_class WHERE oid = $2::regclass) || '/' ||
                (SELECT xmin::text FROM pg_namespace WHERE nspname = $3) AS versions`,
        [JOB_TABLE, `${QUEUE_SCHEMA}.queue`, QUEUE_SCHEMA],
      )
    )[0]?.versions;
  const canReadStartAfter = async () =>
    (await t.db.query<{ ok: boolean }>("SELECT has_column_privilege($1, $2, 'start_after', 'SELECT') AS ok", [APP_ROLE, JOB_TABLE]))[0]?.ok;

  it("when they are all held, rewrites no catalog row", async () => {
    const before = await catalogVersions();
    await grantEnqueue(t.db);
    expect(await catalogVersions()).toBe(before);
  });

  it("when one is missing, grants it again", async () => {
    await t.db.exec(`REVOKE SELECT (start_after) ON ${JOB_TABLE} FROM ${APP_ROLE}`);
    expect(await canReadStartAfter()).toBe(false);
    await grantEnqueue(t.db);
    expect(await canReadStartAfter()).toBe(true);
  });
});
