import { afterAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/platform/db/database.ts";
import { openPostgres } from "../../src/platform/db/open-postgres.ts";
import { prepared } from "../../src/platform/db/statement-names.ts";
import { dbKind, postgresUrl } from "../support/test-database.ts";

const preparedLike = "SELECT statement FROM pg_prepared_statements WHERE statement LIKE $1";

// PGlite runs in-process: nothing to prepare over a wire, so this is PostgreSQL's alone.
describe.runIf(dbKind === "postgres")("prepared statements (real PostgreSQL)", () => {
  const opened: Database[] = [];
  const open = (preparedStatements?: boolean) => {
    // One connection, so every statement lands on the session these tests inspect.
    const db = openPostgres({ url: postgresUrl, poolMax: 1, ...(preparedStatements === undefined ? {} : { preparedStatements }) });
    opened.push(db);
    return db;
  };
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.close()));
  });
  const marker = () => `prepared-probe-${Math.random().toString(36).slice(2)}`;

  it("an unmarked statement is not prepared", async () => {
    const db = open();
    const tag = marker();
    await db.query(`SELECT $1::text AS echo /* ${tag} */`, ["a"]);
    expect(await db.query(preparedLike, [`%${tag}%`])).toEqual([]);
  });

  it("prepares a marked statement once per connection and reuses it", async () => {
    const db = open();
    const tag = marker();
    const text = prepared(`SELECT $1::text AS echo /* ${tag} */`);
    expect(await db.query(text, ["a"])).toEqual([{ echo: "a" }]);
    expect(await db.query(text, ["b"])).toEqual([{ echo: "b" }]);
    await db.withSession(async (session) => expect(await session.query(text, ["c"])).toEqual([{ echo: "c" }]));
    expect(await db.query(preparedLike, [`%${tag}%`])).toHaveLength(1);
  });

  it("prepares nothing when turned off (behind a transaction pooler)", async () => {
    const db = open(false);
    const tag = marker();
    await db.query(prepared(`SELECT $1::text AS echo /* ${tag} */`), ["a"]);
    await db.batch([{ text: prepared(`SELECT $1::int AS n /* ${tag} */`), params: [1] }]);
    expect(await db.query("SELECT count(*)::int AS n FROM pg_prepared_statements")).toEqual([{ n: 0 }]);
  });

  it("a batch prepares its statements too, and a failed batch leaves none half-known", async () => {
    const db = open();
    const tag = marker();
    const first = { text: prepared(`SELECT $1::int AS n /* ${tag} first */`), params: [1] };
    const failing = { text: prepared(`SELECT 1 / $1::int AS n /* ${tag} */`), params: [0] };
    const skipped = { text: prepared(`SELECT $1::int AS n /* ${tag} skipped */`), params: [3] };
    // `first` is prepared, then the batch fails: PostgreSQL never sees `skipped`'s Parse.
    await expect(db.batch([first, failing, skipped])).rejects.toThrow(/division by zero/);
    // Both run again on the same connection: `first` (which does exist) and `skipped` (which does not).
    expect(await db.batch([first, skipped])).toEqual([[{ n: 1 }], [{ n: 3 }]]);
    expect(await db.batch([skipped, first])).toEqual([[{ n: 3 }], [{ n: 1 }]]);
    const names = await db.query<{ statement: string }>(preparedLike, [`%${tag}%`]);
    // The failed batch's names were dropped (Close) after it failed; the later batches prepared theirs again.
    expect(names.map((row) => row.statement).sort()).toEqual([first.text, skipped.text].sort());
  });

  it("a statement prepared by a plain query is reused by a batch and the other way round", async () => {
    const db = open();
    const tag = marker();
    const text = prepared(`SELECT $1::text AS echo /* ${tag} */`);
    await db.query(text, ["plain"]);
    expect(await db.batch([{ text, params: ["batch"] }])).toEqual([[{ echo: "batch" }]]);
    expect(await db.query(text, ["plain again"])).toEqual([{ echo: "plain again" }]);
    expect(await db.query(preparedLike, [`%${tag}%`])).toHaveLength(1);
  });

  it("a batch answers each statement's rows, after one that answers none (written without Describe)", async () => {
    const db = open();
    const tag = marker();
    // Like the tenant read: a statement that answers nothing (written without Describe), then a query.
    const settings = { text: prepared(`SELECT WHERE num_nulls(set_config('app.probe', $1, true)) < 0 /* ${tag} */`), noRows: true };
    const rows = prepared(`SELECT n, current_setting('app.probe') AS probe FROM generate_series(1, $1::int) AS n /* ${tag} */`);
    const pages: unknown[][][] = [];
    // Prepared on the first run, reused on the next: several rows, none, one.
    for (const [probe, count] of [
      ["a", 2],
      ["b", 2],
      ["c", 0],
      ["d", 1],
    ] as const) {
      pages.push(
        await db.batch([
          { ...settings, params: [probe] },
          { text: rows, params: [count] },
        ]),
      );
    }
    expect(pages).toEqual([
      [
        [],
        [
          { n: 1, probe: "a" },
          { n: 2, probe: "a" },
        ],
      ],
      [
        [],
        [
          { n: 1, probe: "b" },
          { n: 2, probe: "b" },
        ],
      ],
      [[], []],
      [[], [{ n: 1, probe: "d" }]],
    ]);
    // Prepared statements of different columns in one batch keep their own.
    const other = prepared(`SELECT $1::text AS word /* ${tag} */`);
    expect(
      await db.batch([
        { text: other, params: ["x"] },
        { text: rows, params: [1] },
        { text: other, params: ["y"] },
      ]),
    ).toEqual([[{ word: "x" }], [{ n: 1, probe: "" }], [{ word: "y" }]]);
    expect(
      await db.batch([
        { text: rows, params: [1] },
        { text: other, params: ["z"] },
      ]),
    ).toEqual([[{ n: 1, probe: "" }], [{ word: "z" }]]);
  });
});
