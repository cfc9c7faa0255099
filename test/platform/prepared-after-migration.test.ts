import { afterAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/platform/db/database.ts";
import { openPostgres } from "../../src/platform/db/open-postgres.ts";
import { dbKind, postgresUrl } from "../support/test-database.ts";

// Found in review: a named statement whose result is `*` (RETURNING * in
// training/providers/connections.ts:127,146 and training/notifications/deliver-notification-job.ts:38,
// RETURNING a.* in training/pipeline/training-store.ts:76) fails with 0A000 "cached plan must not
// change result type" on every connection that prepared it once a migration adds a column, e.g. a
// rolling deploy whose new instance migrates at boot (MIGRATE_ON_BOOT) while this one serves. It is
// no connection error, so the connection goes back to the pool and fails the same way until the
// process restarts. Unnamed (before 358b2e3) the statement just returned the new column.
describe.runIf(dbKind === "postgres")("a prepared statement after a migration adds a column", () => {
  const opened: Database[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.close()));
  });

  it("keeps working", async () => {
    const db = openPostgres({ url: postgresUrl, poolMax: 1 });
    const migrator = openPostgres({ url: postgresUrl, poolMax: 1 });
    opened.push(db, migrator);
    const table = `public.review_outbox_${Math.random().toString(36).slice(2)}`;
    await migrator.exec(
      `CREATE TABLE ${table} (id text PRIMARY KEY, attempts int NOT NULL DEFAULT 0); INSERT INTO ${table} (id) VALUES ('n1')`,
    );
    const update = `UPDATE ${table} SET attempts = attempts + 1 WHERE id = $1 RETURNING *`;
    try {
      expect(await db.query(update, ["n1"])).toEqual([{ id: "n1", attempts: 1 }]);
      await migrator.exec(`ALTER TABLE ${table} ADD COLUMN channel text`);
      expect(await db.query(update, ["n1"])).toEqual([{ id: "n1", attempts: 2, channel: null }]);
    } finally {
      await migrator.exec(`DROP TABLE ${table}`);
    }
  });
});
