import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionCursor, sessionQueryBinding } from "../../src/modules/biomech/session-cursor.ts";
import { createKey } from "../../src/platform/keys/create-key.ts";
import { createOrg } from "../../src/platform/orgs/create-org.ts";
import { expectNoSecretsInLogs } from "../support/auth-checks.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { captureTimes, insertAthlete, insertSessions } from "./biomech-data.ts";

const ENV_KEY_CURRENT = "env-current-0123456789abcdefghij";
const ENV_KEY_NEXT = "env-next-0123456789abcdefghijklmn";

let t: TestApp;
let orgA: string;
let orgB: string;
let athlete1: string;
let athlete2: string;
let athleteB: string;
let keyA: string;
let platformKey: string;
const secrets: string[] = [ENV_KEY_CURRENT, ENV_KEY_NEXT];

async function get(path: string, key = keyA) {
  return t.call("GET", path, { headers: { "x-api-key": key } });
}

/** Follows nextCursor to the end; returns every id in the order served. */
async function walk(query: string, key = keyA): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 1000; pages++) {
    const res = await get(`/api/biomech/sessions?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, key);
    expect(res.status, res.text).toBe(200);
    ids.push(...res.body.data.map((session: { id: string }) => session.id));
    cursor = res.body.nextCursor;
    if (cursor === null) return ids;
  }
  throw new Error("pagination did not end");
}

beforeAll(async () => {
  t = await createTestApp({ env: { BIOMECH_API_KEYS: `${ENV_KEY_CURRENT}, ${ENV_KEY_NEXT}`, LOG_LEVEL: "trace" } });
  const { db, config } = t.services;
  orgA = (await createOrg(db, { name: "Org A" })).id;
  orgB = (await createOrg(db, { name: "Org B" })).id;
  athlete1 = await insertAthlete(db, orgA, "One");
  athlete2 = await insertAthlete(db, orgA, "Two");
  athleteB = await insertAthlete(db, orgB, "B");
  // 7 rows share each timestamp, so page seams fall inside ties and the id tie-break matters.
  await insertSessions(db, orgA, athlete1, captureTimes(120, { perTick: 7 }));
  await insertSessions(db, orgA, athlete2, captureTimes(45, { perTick: 3, stepMs: 45_000 }));
  await insertSessions(db, orgB, athleteB, captureTimes(10));
  keyA = (await createKey(db, { secret: config.BACKPLANE_SECRET, name: "a", orgId: orgA, scopes: ["biomech:read"], createdBy: "test" }))
    .key;
  platformKey = (
    await createKey(db, { secret: config.BACKPLANE_SECRET, name: "p", orgId: null, scopes: ["biomech:read"], createdBy: "test" })
  ).key;
  secrets.push(keyA, platformKey);
});
afterAll(() => t.close());

describe("GET /api/biomech/sessions", () => {
  it("returns the first 25, newest first, with only the documented fields", async () => {
    const res = await get(`/api/biomech/sessions?orgId=${orgA}`);
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(25);
    expect(typeof res.body.nextCursor).toBe("string");
    const first = res.body.data[0];
    expect(Object.keys(first).sort()).toEqual(["athleteId", "capturedAt", "durationMs", "id", "kind", "summary"]);
    expect(Object.keys(first.summary).sort()).toEqual(["asymmetryPct", "peakForceN", "peakVelocityMps", "repCount"]);
    expect(first).toMatchObject({
      kind: "jump",
      durationMs: 1000,
      summary: { repCount: 3, peakForceN: 1500.5, peakVelocityMps: 2.25, asymmetryPct: null },
    });
    expect(res.text).not.toContain("SN-SECRET-1");
    expect(res.text).not.toContain("frames");
    const keys = res.body.data.map((s: { capturedAt: string; id: string }) => [s.capturedAt, s.id] as const);
    const sorted = [...keys].sort((a, b) => (a[0] === b[0] ? b[1].localeCompare(a[1]) : b[0].localeCompare(a[0])));
    expect(keys).toEqual(sorted);
  });

  it("walking every page returns every row exactly once, for each page size", async () => {
    const expected = (
      await t.services.db.query<{ id: string }>("SELECT id FROM biomech.sessions WHERE org_id = $1 ORDER BY captured_at DESC, id DESC", [
        orgA,
      ])
    ).map((row) => row.id);
    expect(expected).toHaveLength(165);
    for (const limit of [1, 7, 25, 100]) {
      expect(await walk(`orgId=${orgA}&limit=${limit}`)).toEqual(expected);
    }
  });

  it("filters by athlete within the org", async () => {
    const ids = await walk(`orgId=${orgA}&athleteId=${athlete2}&limit=10`);
    expect(ids).toHaveLength(45);
    // Another org's athlete gives nothing, not that org's rows.
    const res = await get(`/api/biomech/sessions?orgId=${orgA}&athleteId=${athleteB}`);
    expect(res.body).toEqual({ data: [], nextCursor: null });
  });

  it("nextCursor is null on the last page and for an empty result", async () => {
    const res = await get(`/api/biomech/sessions?orgId=${orgA}&athleteId=${athlete2}&limit=45`);
    expect(res.body.data).toHaveLength(45);
    expect(res.body.nextCursor).toBeNull();
  });

  it("paging while rows are inserted neither repeats nor skips rows that existed", async () => {
    const db = t.services.db;
    const athlete = await insertAthlete(db, orgA, "Live");
    const before = await insertSessions(db, orgA, athlete, captureTimes(60, { perTick: 4, start: new Date("2025-06-01T00:00:00Z") }));
    const seen: string[] = [];
    let cursor: string | null = null;
    let round = 0;
    do {
      const res = await get(
        `/api/biomech/sessions?orgId=${orgA}&athleteId=${athlete}&limit=9${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      seen.push(...res.body.data.map((s: { id: string }) => s.id));
      cursor = res.body.nextCursor;
      // Newer rows (ahead of the position), rows tied with it, and older rows (still to come).
      round++;
      await insertSessions(db, orgA, athlete, [
        new Date("2025-07-01T00:00:00Z"),
        new Date(Date.parse("2025-06-01T00:00:00Z") - round * 60_000),
        new Date("2020-01-01T00:00:00Z"),
      ]);
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of before) expect(seen).toContain(id);
  });

  it("400 for a limit out of range, a missing or malformed orgId", async () => {
    for (const query of [
      `orgId=${orgA}&limit=0`,
      `orgId=${orgA}&limit=101`,
      `orgId=${orgA}&limit=abc`,
      "",
      "orgId=acme",
      `orgId=${orgA}&athleteId=x`,
    ]) {
      const res = await get(`/api/biomech/sessions?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
    }
  });

  it("401 comes before validation: an anonymous caller learns nothing about inputs", async () => {
    const res = await t.call("GET", "/api/biomech/sessions?limit=0");
    expect(res.status).toBe(401);
  });

  it("400 for a tampered cursor", async () => {
    const first = await get(`/api/biomech/sessions?orgId=${orgA}&limit=5`);
    const cursor: string = first.body.nextCursor;
    const [payload, tag] = cursor.split(".") as [string, string];
    const position = JSON.parse(Buffer.from(payload, "base64url").toString());
    const forged = `${Buffer.from(JSON.stringify({ ...position, capturedAt: "2030-01-01T00:00:00.000Z" })).toString("base64url")}.${tag}`;
    const flipped = `${payload}.${tag.slice(0, -2)}${tag.endsWith("AA") ? "BB" : "AA"}`;
    for (const bad of [forged, flipped, "garbage", `${cursor}.x`, payload]) {
      const res = await get(`/api/biomech/sessions?orgId=${orgA}&limit=5&cursor=${encodeURIComponent(bad)}`);
      expect(res.status, bad).toBe(400);
      expect(res.body.details[0].field).toBe("query.cursor");
    }
  });

  it("400, not 500, for validly signed cursors whose position PostgreSQL would reject", async () => {
    // Signed with the server's own secret, as a forger who knows it (or a bug) could: the
    // position itself must be checked strictly, not only the signature.
    const codec = sessionCursor(t.config.BACKPLANE_SECRET);
    const binding = sessionQueryBinding(orgA, undefined);
    const first = await get(`/api/biomech/sessions?orgId=${orgA}&limit=1`);
    const realId = first.body.data[0].id;
    for (const position of [
      { capturedAt: "1", id: realId },
      { capturedAt: "2026-02-30T00:00:00.000Z", id: realId },
      { capturedAt: "2026-02-30", id: realId },
      { capturedAt: "+275760-09-13T00:00:00.000Z", id: realId },
      { capturedAt: "0000-01-01T00:00:00.000Z", id: realId },
      { capturedAt: "2026-01-01T25:00:00.000Z", id: realId },
      { capturedAt: "2026-01-01T00:00:00.000Z", id: "x\u0000y" },
      { capturedAt: "2026-01-01T00:00:00.000Z", id: 7 },
    ]) {
      const cursor = codec.encode(position as never, binding);
      const res = await get(`/api/biomech/sessions?orgId=${orgA}&limit=5&cursor=${encodeURIComponent(cursor)}`);
      expect(res.status, JSON.stringify(position)).toBe(400);
      expect(res.body.details[0].field).toBe("query.cursor");
    }
  });

  it("400 for a cursor from another query (other athlete, other org); a new limit is fine", async () => {
    const first = await get(`/api/biomech/sessions?orgId=${orgA}&limit=5`);
    const cursor = encodeURIComponent(first.body.nextCursor);
    expect((await get(`/api/biomech/sessions?orgId=${orgA}&athleteId=${athlete1}&cursor=${cursor}`)).status).toBe(400);
    expect((await get(`/api/biomech/sessions?orgId=${orgB}&cursor=${cursor}`, platformKey)).status).toBe(400);
    const next = await get(`/api/biomech/sessions?orgId=${orgA}&limit=10&cursor=${cursor}`);
    expect(next.status).toBe(200);
    expect(next.body.data[0].id).not.toBe(first.body.data[4].id);
  });

  it("a cursor signed with another BACKPLANE_SECRET is refused", async () => {
    const other = await createTestApp({ env: { BACKPLANE_SECRET: "another-secret-another-secret-another-secret" } });
    try {
      const first = await get(`/api/biomech/sessions?orgId=${orgA}&limit=5`);
      const org = await createOrg(other.services.db, { name: "Org A" });
      const key = await createKey(other.services.db, {
        secret: other.config.BACKPLANE_SECRET,
        name: "x",
        orgId: org.id,
        scopes: ["biomech:read"],
        createdBy: "test",
      });
      secrets.push(key.key);
      // Same org id shape; the signature is what is checked.
      const res = await other.call("GET", `/api/biomech/sessions?orgId=${org.id}&cursor=${encodeURIComponent(first.body.nextCursor)}`, {
        headers: { "x-api-key": key.key },
      });
      expect(res.status).toBe(400);
    } finally {
      await other.close();
    }
  });

  it("BIOMECH_API_KEYS: each listed key works (rotation pair) and may read every org", async () => {
    for (const key of [ENV_KEY_CURRENT, ENV_KEY_NEXT]) {
      expect((await get(`/api/biomech/sessions?orgId=${orgA}&limit=1`, key)).status).toBe(200);
      const b = await get(`/api/biomech/sessions?orgId=${orgB}&limit=1`, key);
      expect(b.status).toBe(200);
      expect(b.body.data).toHaveLength(1);
    }
    // A prefix or an extension of an env key is not that key.
    expect((await get(`/api/biomech/sessions?orgId=${orgA}`, ENV_KEY_CURRENT.slice(0, -1))).status).toBe(401);
    expect((await get(`/api/biomech/sessions?orgId=${orgA}`, `${ENV_KEY_CURRENT}0`)).status).toBe(401);
  });

  it("env keys are biomech-only: they cannot manage keys", async () => {
    const res = await t.call("GET", "/api/v1/keys", { headers: { "x-api-key": ENV_KEY_CURRENT } });
    expect(res.status).toBe(401);
  });

  it("never logs a key", () => {
    expectNoSecretsInLogs(t, secrets);
  });
});
