import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuditFilter, listAuditEvents } from "../../src/platform/audit/list-audit-events.ts";
import { openPostgres } from "../../src/platform/db/open-postgres.ts";
import { prepared, statementName } from "../../src/platform/db/statement-names.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { dbKind } from "../support/test-database.ts";

// Found in review: statement names go first come, first served, for the life of the process.
// GET /api/v1/audit-events builds its text from which filters are present: 3 (orgId) x 3 (action)
// x 2^7 (actorType, actorId, targetType, targetId, from, to, cursor) = 1,152 texts, more than
// the 1,000-name cap alone. A caller walking the filters (or a dashboard) takes every name; the
// hot statements first used afterwards run unnamed for good, and every pool connection that
// meets those texts keeps ~1,000 prepared statements.
describe.runIf(dbKind === "postgres")("the statement-name cap", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("a hot statement first used after the audit filters have been walked still gets a name", async () => {
    // One connection, to count what it holds.
    const url = (t.database.db as unknown as { pool: { options: { connectionString: string } } }).pool.options.connectionString;
    const db = openPostgres({ url, poolMax: 1 });
    try {
      const page = { limit: 1 };
      for (const orgId of [undefined, null, "org_review"] as const)
        for (const action of [undefined, "key.*", "key.created"])
          for (let bits = 0; bits < 128; bits++) {
            const has = (bit: number) => (bits & (1 << bit)) !== 0;
            const filter: AuditFilter = {
              ...(orgId === undefined ? {} : { orgId }),
              ...(action === undefined ? {} : { action }),
              ...(has(0) ? { actorType: "api_key" as AuditFilter["actorType"] } : {}),
              ...(has(1) ? { actorId: "key_x" } : {}),
              ...(has(2) ? { targetType: "api_key" } : {}),
              ...(has(3) ? { targetId: "key_y" } : {}),
              ...(has(4) ? { from: new Date(0) } : {}),
              ...(has(5) ? { to: new Date() } : {}),
            };
            await listAuditEvents(db, filter, has(6) ? { ...page, afterSeq: "10" } : page);
          }
      const [held] = await db.query<{ n: number; kb: number }>(
        "SELECT (SELECT count(*)::int FROM pg_prepared_statements) AS n, (SELECT (sum(total_bytes) / 1024)::int FROM pg_backend_memory_contexts) AS kb WHERE $1",
        [true],
      );
      // The biomech read (docs/benchmarks.md's hot path), first used now.
      // Texts built at run time are not prepared: the connection holds none of the audit listing's.
      expect(held?.n).toBeLessThan(10);
      // A marked hot statement, first used now, is.
      const hot = prepared("SELECT id FROM biomech.sessions WHERE id = $1 AND org_id = $2 /* review hot */");
      expect(statementName(hot)).toBeDefined();
    } finally {
      await db.close();
    }
  });
});
