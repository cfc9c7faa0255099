import { afterAll, describe, expect, it } from "vitest";
import { isConnectionError } from "../../src/platform/db/connection-errors.ts";
import type { Database } from "../../src/platform/db/database.ts";
import { openPostgres } from "../../src/platform/db/open-postgres.ts";
import { withTenant } from "../../src/platform/tenancy/with-tenant.ts";
import { dbKind, postgresUrl } from "../support/test-database.ts";

// Review probe (expected to pass): a backend terminated in the middle of a batch or a pipelined
// transaction surfaces as a connection error (503) and its client is not handed out again.
describe.runIf(dbKind === "postgres")("a connection that dies mid-batch", () => {
  const opened: Database[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.close()));
  });
  const killer = openPostgres({ url: postgresUrl, poolMax: 1, applicationName: "review-killer" });
  opened.push(killer);
  const kill = async (app: string) => {
    for (let i = 0; i < 50; i++) {
      const [row] = await killer.query<{ n: number }>(
        "SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event = 'PgSleep'",
        [app],
      );
      if (row && row.n > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error("nothing to kill");
  };

  for (const how of ["batch", "transaction", "withTenant"] as const) {
    it(`${how}: connection error, and the pool recovers`, async () => {
      const app = `review-dies-${how}-${Math.random().toString(36).slice(2)}`;
      const db = openPostgres({ url: postgresUrl, poolMax: 1, applicationName: app });
      opened.push(db);
      const sleep = { text: "SELECT pg_sleep($1::float8) IS NULL AS slept", params: [10] };
      const running =
        how === "batch"
          ? db.batch([{ text: "SELECT $1::int AS n", params: [1] }, sleep])
          : how === "transaction"
            ? db.transaction((tx) => tx.query(sleep.text, sleep.params))
            : withTenant(db, { orgId: null, userId: null, principal: "service:review" }, (tx) => tx.query(sleep.text, sleep.params));
      const outcome = running.then(
        () => null,
        (error: unknown) => error,
      );
      await kill(app);
      const error = await outcome;
      expect(error).toBeTruthy();
      expect(isConnectionError(error)).toBe(true);
      expect(await db.query("SELECT $1::int AS n", [7])).toEqual([{ n: 7 }]);
      expect(await db.batch([{ text: "SELECT $1::int AS n", params: [8] }])).toEqual([[{ n: 8 }]]);
    });
  }
});
