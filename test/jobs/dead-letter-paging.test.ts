import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deadLetterCursor } from "../../src/platform/jobs/dead-letters.ts";
import { producerOf } from "../../src/platform/jobs/producer-of.ts";
import { DEAD_LETTER_QUEUE } from "../../src/platform/jobs/queues.ts";
import { createKey } from "../../src/platform/keys/create-key.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { fastJobsEnv } from "./support/fast-env.ts";

let t: TestApp;
let headers: Record<string, string>;
const BATCH = 45;

beforeAll(async () => {
  t = await createTestApp({ env: fastJobsEnv });
  const key = await createKey(t.services.db, {
    secret: t.config.BACKPLANE_SECRET,
    name: "ops",
    orgId: null,
    scopes: ["queue:read"],
    createdBy: "test",
  });
  headers = { "x-api-key": key.key };
  await (await producerOf(t.services.jobs)).insert(
    DEAD_LETTER_QUEUE,
    Array.from({ length: BATCH }, (_, i) => ({
      data: { job: "test.default", queue: i % 3 === 0 ? "bulk" : "default", payload: { n: i } },
    })),
  );
  // One batch dead-lettered within a single millisecond: microseconds apart, and some exactly tied (then the id orders them).
  await t.services.db.query(
    `UPDATE pgboss.job SET created_on = '2026-03-01T12:00:00.123Z'::timestamptz + make_interval(secs => ((data->'payload'->>'n')::int % 20) / 1e6)
     WHERE name = $1`,
    [DEAD_LETTER_QUEUE],
  );
});
afterAll(() => t.close());

async function walk(query: string, limit: number): Promise<number[]> {
  const seen: number[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const res = await t.call("GET", `/api/v1/queue/dlq?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, {
      headers,
    });
    expect(res.status, res.text).toBe(200);
    seen.push(...res.body.items.map((item: { payload: { n: number } }) => item.payload.n));
    cursor = res.body.nextCursor;
    if (!cursor) break;
  }
  return seen;
}

describe("dead-letter paging", () => {
  it("returns every dead letter of a batch sharing one millisecond exactly once, page by page", async () => {
    for (const limit of [1, 7, 10, 44]) {
      const seen = await walk("", limit);
      expect(seen.length, `limit ${limit}`).toBe(BATCH);
      expect(new Set(seen).size).toBe(BATCH);
    }
    const bulk = await walk("&queue=bulk", 4);
    expect(bulk.sort((a, b) => a - b)).toEqual(Array.from({ length: BATCH }, (_, i) => i).filter((i) => i % 3 === 0));
  });

  it("pages newest first, ties broken by id", async () => {
    const res = await t.call("GET", `/api/v1/queue/dlq?limit=${BATCH}`, { headers });
    const ns: number[] = res.body.items.map((item: { payload: { n: number } }) => item.payload.n);
    const micros = ns.map((n) => n % 20);
    expect(micros).toEqual([...micros].sort((a, b) => b - a));
  });

  it("refuses a cursor from another query, an edited one, and the old unsigned form", async () => {
    const first = await t.call("GET", "/api/v1/queue/dlq?limit=5&queue=bulk", { headers });
    const cursor: string = first.body.nextCursor;
    expect(cursor).toBeTruthy();
    const otherQuery = await t.call("GET", `/api/v1/queue/dlq?limit=5&queue=default&cursor=${cursor}`, { headers });
    expect(otherQuery.status).toBe(400);
    expect(otherQuery.body.error.code).toBe("validation_failed");
    const edited = `${cursor.slice(0, 3)}${cursor[3] === "A" ? "B" : "A"}${cursor.slice(4)}`;
    expect((await t.call("GET", `/api/v1/queue/dlq?limit=5&queue=bulk&cursor=${edited}`, { headers })).status).toBe(400);
  });

  // Inputs the old regex and Date.parse let through and PostgreSQL rejected: each was a 500.
  const oldForm = (text: string) => Buffer.from(text).toString("base64url");
  const uuid = "0a3c9a8e-52c1-4d87-9a8b-1c2d3e4f5a6b";
  const hostile = [
    `1|${"0".repeat(36)}`,
    `2026-03-01T12:00:00.123Z|${"-".repeat(36)}`,
    `+275760-09-13T00:00:00.000Z|${uuid}`,
    `2026-02-30T00:00:00.000Z|${uuid}`,
  ];

  it("answers 400 in the envelope for crafted cursors, unsigned or signed", async () => {
    const signed = deadLetterCursor(t.config.BACKPLANE_SECRET);
    const binding = JSON.stringify([null]);
    const cursors = [
      ...hostile.map(oldForm),
      signed.encode({ at: "1", id: uuid } as never, binding),
      signed.encode({ at: "2026-02-30T00:00:00.000000Z", id: uuid }, binding),
      signed.encode({ at: "+275760-09-13T00:00:00.000000Z", id: uuid }, binding),
      signed.encode({ at: "2026-03-01T12:00:00.123000Z", id: "-".repeat(36) }, binding),
      signed.encode({ at: "2026-03-01T12:00:00.123000Z", id: "0".repeat(36) }, binding),
    ];
    for (const cursor of cursors) {
      const res = await t.call("GET", `/api/v1/queue/dlq?cursor=${encodeURIComponent(cursor)}`, { headers });
      expect(res.status, `${Buffer.from(cursor.split(".")[0] ?? "", "base64url").toString()}: ${res.text}`).toBe(400);
      expect(res.body.error).toMatchObject({ code: "validation_failed" });
      expect(res.body.error.requestId).toBeTruthy();
    }
    // A well-formed signed position still works.
    const ok = await t.call("GET", `/api/v1/queue/dlq?cursor=${signed.encode({ at: "2026-03-01T12:00:00.123010Z", id: uuid }, binding)}`, {
      headers,
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.items.length).toBeGreaterThan(0);
  });
});
