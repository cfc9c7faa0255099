import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/platform/db/database.ts";
import { openPostgres } from "../../src/platform/db/open-postgres.ts";
import { asService, asTenant, withTenant } from "../../src/platform/tenancy/with-tenant.ts";
import { createOrgProbeTable } from "../support/org-probe-table.ts";
import { createTestDatabase, dbKind, type TestDatabase } from "../support/test-database.ts";

// Review probe (expected to pass): one prepared statement, run past PostgreSQL's five custom plans
// (so a generic plan is cached) on one connection, alternating tenants, the service role and the
// two paths (asTenant's batch, withTenant's session): row-level security still filters per run.
describe.runIf(dbKind === "postgres")("row-level security under a cached generic plan", () => {
  let database: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
    await createOrgProbeTable(database.db, "review_rls", "SELECT", [
      ["org_a", "a1"],
      ["org_b", "b1"],
    ]);
    const url = (database.db as unknown as { pool: { options: { connectionString: string } } }).pool.options.connectionString;
    db = openPostgres({ url, poolMax: 1 });
  });
  afterAll(async () => {
    await db?.close();
    await database.db.exec("DROP TABLE public.review_rls");
    await database.close();
  });

  it("each run sees its own tenant's rows only", async () => {
    const read = "SELECT note FROM public.review_rls WHERE note <> $1 ORDER BY note";
    const as = (orgId: string | null) => ({ orgId, userId: null, principal: "test" });
    for (let round = 0; round < 8; round++) {
      expect(await asTenant(db, as("org_a")).query(read, ["x"])).toEqual([{ note: "a1" }]);
      expect(await withTenant(db, as("org_b"), (tx) => tx.query(read, ["x"]))).toEqual([{ note: "b1" }]);
      expect(await asTenant(db, as(null)).query(read, ["x"])).toEqual([]);
      expect(await asService(db, "review", (tx) => tx.query(read, ["x"]))).toEqual([{ note: "a1" }, { note: "b1" }]);
    }
  });
});
