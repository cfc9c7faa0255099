import { afterAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/platform/db/database.ts";
import { openPostgres } from "../../src/platform/db/open-postgres.ts";
import { prepared } from "../../src/platform/db/statement-names.ts";
import { dbKind, postgresUrl } from "../support/test-database.ts";

// Found in review: a failed db.batch forgets (client side) the names it Parsed, although
// PostgreSQL kept them; only a later *batch* Closes before re-preparing. pg's own Query (every
// plain db.query / withSession / withTenant statement) does not, so it Parses the name again
// and PostgreSQL answers 42P05 "prepared statement already exists".
describe.runIf(dbKind === "postgres")("a plain query after a failed batch", () => {
  const opened: Database[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.close()));
  });

  it("runs a statement the failed batch had prepared", async () => {
    const db = openPostgres({ url: postgresUrl, poolMax: 1 });
    opened.push(db);
    const tag = Math.random().toString(36).slice(2);
    const text = prepared(`SELECT 1 / $1::int AS n /* review ${tag} */`);
    // Parse succeeds, Execute fails: the statement exists on the connection.
    await expect(db.batch([{ text, params: [0] }])).rejects.toThrow(/division by zero/);
    expect(await db.query(text, [1])).toEqual([{ n: 1 }]);
  });

  it("runs a statement the failed batch had prepared, inside withSession (as withTenant does)", async () => {
    const db = openPostgres({ url: postgresUrl, poolMax: 1 });
    opened.push(db);
    const tag = Math.random().toString(36).slice(2);
    const first = { text: prepared(`SELECT $1::int AS n /* review first ${tag} */`), params: [1] };
    const failing = { text: prepared(`SELECT 1 / $1::int AS n /* review failing ${tag} */`), params: [0] };
    await expect(db.batch([first, failing])).rejects.toThrow(/division by zero/);
    expect(await db.withSession((session) => session.query(first.text, [2]))).toEqual([{ n: 2 }]);
  });
});
