import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgres } from "../../src/platform/db/open-postgres.ts";
import { isoTime, timesAsText } from "../../src/platform/db/text-times.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { dbKind } from "../support/test-database.ts";

// What a route answered before text times: pg's parser into a Date, then toISOString.
const viaDate = (text: string) => new Date(pg.types.getTypeParser(1184, "text")(text) as Date).toISOString();

describe("isoTime", () => {
  it("answers what a Date would, for every shape PostgreSQL writes", () => {
    for (const text of [
      "2026-03-14 09:26:53+00",
      "2026-03-14 09:26:53.5+00",
      "2026-03-14 09:26:53.58+00",
      "2026-03-14 09:26:53.589+00",
      "2026-03-14 09:26:53.5896+00",
      "2026-03-14 09:26:53.999999+00",
      "1970-01-01 00:00:00+00",
      "0099-06-01 12:00:00.001+00",
      "2026-03-14 10:26:53.589+01",
      "2026-03-14 04:56:53.123456-04:30",
      "0044-03-15 12:00:00+00 BC",
    ]) {
      expect(isoTime(text), text).toBe(viaDate(text));
    }
    for (let millis = 0; millis < 1000; millis++) {
      const text = `2026-03-14 09:26:53.${String(millis).padStart(3, "0").replace(/0+$/, "")}+00`.replace(".+", "+");
      expect(isoTime(text)).toBe(viaDate(text));
    }
  });

  it("takes a Date as it is", () => {
    expect(isoTime(new Date("2026-03-14T09:26:53.589Z"))).toBe("2026-03-14T09:26:53.589Z");
  });
});

describe.runIf(dbKind === "postgres")("a statement marked timesAsText", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("answers timestamptz as text, in any session zone, alone and in a batch; other statements keep Dates", async () => {
    const url = (t.database.db as unknown as { pool: { options: { connectionString: string } } }).pool.options.connectionString;
    const db = openPostgres({ url, poolMax: 1 });
    try {
      const marked = timesAsText("SELECT $1::timestamptz AS at");
      const [row] = await db.query<{ at: unknown }>(marked, ["2026-03-14T09:26:53.5896Z"]);
      expect(typeof row?.at).toBe("string");
      expect(isoTime(row?.at as string)).toBe("2026-03-14T09:26:53.589Z");

      const [, rows] = await db.batch([
        { text: "SELECT set_config('timezone', 'Asia/Kolkata', true)" },
        { text: marked, params: ["2026-03-14T09:26:53.5896Z"] },
      ]);
      const at = (rows as { at: string }[])[0]?.at;
      expect(at).toMatch(/\+05:30$/);
      expect(isoTime(at as string)).toBe("2026-03-14T09:26:53.589Z");

      const [plain] = await db.query<{ plain_at: unknown }>("SELECT $1::timestamptz AS plain_at", ["2026-03-14T09:26:53.5896Z"]);
      expect(plain?.plain_at).toBeInstanceOf(Date);
    } finally {
      await db.close();
    }
  });
});
