import { afterAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/platform/db/database.ts";
import { openPostgres } from "../../src/platform/db/open-postgres.ts";
import { withTenant } from "../../src/platform/tenancy/with-tenant.ts";
import { dbKind, postgresUrl } from "../support/test-database.ts";

// Found in review: pipelinedTransaction writes `fn`'s statements behind the opening batch
// ("BEGIN; SELECT set_config(…)") without waiting for it, and only looks at the opening's outcome
// after `fn` has finished. When the opening fails before BEGIN runs (here a value with a NUL byte:
// the simple Query message is cut and rejected, 08P01), every statement of `fn` runs in autocommit,
// as the connecting role, without the tenant settings, and its writes stay although withTenant
// throws.
describe.runIf(dbKind === "postgres")("withTenant when the opening batch fails before BEGIN", () => {
  const opened: Database[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.close()));
  });

  it("runs none of fn's statements outside the transaction", async () => {
    const db = openPostgres({ url: postgresUrl, poolMax: 2 });
    opened.push(db);
    const table = `public.review_probe_${Math.random().toString(36).slice(2)}`;
    await db.exec(`CREATE TABLE ${table} (org text, who text); GRANT ALL ON ${table} TO PUBLIC`);
    const tenant = { orgId: "org_a\u0000b", userId: null, principal: "api_key:key_review" };
    await expect(
      withTenant(db, tenant, async (tx) => {
        await tx.query(`INSERT INTO ${table} SELECT current_setting('app.org_id', true), current_user WHERE $1`, [true]);
        return null;
      }),
    ).rejects.toThrow();
    // Nothing fn wrote may remain: the transaction never committed.
    const left = await db.query(`SELECT org, who FROM ${table} WHERE $1`, [true]);
    await db.exec(`DROP TABLE ${table}`);
    expect(left).toEqual([]);
  });
});
