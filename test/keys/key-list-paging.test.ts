import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../../src/platform/keys/create-key.ts";
import { createOrg } from "../../src/platform/orgs/create-org.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

const as = (key: string) => ({ "x-api-key": key });

describe("GET /api/v1/keys paging", () => {
  let t: TestApp;
  let orgA: string;
  let orgB: string;
  let adminA: { id: string; key: string };
  let operator: string;
  const BATCH = 45;

  beforeAll(async () => {
    t = await createTestApp();
    const { db, config } = t.services;
    orgA = (await createOrg(db, { name: "Acme" })).id;
    orgB = (await createOrg(db, { name: "Bolt" })).id;
    const make = (name: string, orgId: string | null, scopes = ["biomech:read"]) =>
      createKey(db, { secret: config.BACKPLANE_SECRET, name, orgId, scopes, createdBy: "test" });
    adminA = await make("admin", orgA, ["keys:manage"]);
    operator = (await make("operator", null, ["keys:manage"])).key;
    for (let i = 0; i < BATCH; i++) await make(`k${i}`, orgA);
    for (let i = 0; i < 5; i++) await make(`b${i}`, orgB);
    // One batch created within a single millisecond: microseconds apart, some exactly tied.
    await db.query(
      `UPDATE backplane.api_keys SET created_at = '2026-03-01T12:00:00.123Z'::timestamptz + make_interval(secs => (substr(name, 2)::int % 20) / 1e6)
       WHERE org_id = $1 AND name ~ '^k[0-9]+$'`,
      [orgA],
    );
  });
  afterAll(() => t.close());

  async function walk(key: string, query: string, limit: number): Promise<string[]> {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 200; page++) {
      const res = await t.call("GET", `/api/v1/keys?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, {
        headers: as(key),
      });
      expect(res.status, res.text).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(limit);
      seen.push(...res.body.data.map((k: { name: string }) => k.name));
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    return seen;
  }

  it("returns every key of the org exactly once, a page at a time, even when they share a millisecond", async () => {
    for (const limit of [1, 7, 50]) {
      const seen = await walk(adminA.key, "", limit);
      expect(seen.length, `limit ${limit}`).toBe(BATCH + 1);
      expect(new Set(seen).size).toBe(BATCH + 1);
    }
    const all = await walk(operator, "", 10);
    expect(all.length).toBe(BATCH + 1 + 5 + 1);
    expect((await walk(operator, `&orgId=${orgB}`, 2)).sort()).toEqual(["b0", "b1", "b2", "b3", "b4"]);
  });

  it("defaults to pages of 50 and caps limit at 200", async () => {
    const first = await t.call("GET", "/api/v1/keys", { headers: as(operator) });
    expect(first.body.data).toHaveLength(50);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect((await t.call("GET", "/api/v1/keys?limit=201", { headers: as(operator) })).status).toBe(400);
  });

  it("refuses a cursor from another filter, an edited one and a crafted one with a 400", async () => {
    const page = await t.call("GET", `/api/v1/keys?limit=2&orgId=${orgA}`, { headers: as(operator) });
    const cursor: string = page.body.nextCursor;
    const elsewhere = await t.call("GET", `/api/v1/keys?limit=2&orgId=${orgB}&cursor=${cursor}`, { headers: as(operator) });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.error.code).toBe("validation_failed");
    const unfiltered = await t.call("GET", `/api/v1/keys?limit=2&cursor=${cursor}`, { headers: as(operator) });
    expect(unfiltered.status).toBe(400);
    const crafted = Buffer.from(JSON.stringify({ at: "+275760-09-13T00:00:00.000000Z", id: "key_x" })).toString("base64url");
    expect((await t.call("GET", `/api/v1/keys?cursor=${crafted}.AAAA`, { headers: as(adminA.key) })).status).toBe(400);
  });
});

describe("KEYS_MAX_PER_ORG", () => {
  let t: TestApp;
  afterAll(() => t?.close());

  it("refuses a key beyond the cap with 409 key_limit_reached; revoked and expired keys do not count; rotation counts", async () => {
    t = await createTestApp({ env: { KEYS_MAX_PER_ORG: "3" } });
    const { db, config } = t.services;
    const orgId = (await createOrg(db, { name: "Capped" })).id;
    const admin = await createKey(db, {
      secret: config.BACKPLANE_SECRET,
      name: "admin",
      orgId,
      scopes: ["keys:manage", "biomech:read"],
      createdBy: "test",
    });
    const create = () => t.call("POST", "/api/v1/keys", { headers: as(admin.key), body: { name: "k", scopes: ["biomech:read"] } });
    const first = await create();
    expect(first.status, first.text).toBe(201);
    const second = await create();
    expect(second.status).toBe(201); // admin + 2 = 3 live keys
    const refused = await create();
    expect(refused.status, refused.text).toBe(409);
    expect(refused.body.error).toMatchObject({ code: "key_limit_reached" });
    expect(refused.body.details).toEqual({ limit: 3, live: 3 });
    const rotate = await t.call("POST", `/api/v1/keys/${first.body.id}/rotate`, { headers: as(admin.key) });
    expect(rotate.status).toBe(409);
    expect(rotate.body.error.code).toBe("key_limit_reached");

    await t.call("DELETE", `/api/v1/keys/${first.body.id}`, { headers: as(admin.key) });
    expect((await create()).status).toBe(201);
    await db.query("UPDATE backplane.api_keys SET expires_at = now() - interval '1 second' WHERE id = $1", [second.body.id]);
    expect((await create()).status).toBe(201);
    expect((await create()).status).toBe(409);
    // Other orgs have their own allowance.
    const other = await createOrg(db, { name: "Other" });
    const operator = await createKey(db, {
      secret: config.BACKPLANE_SECRET,
      name: "op",
      orgId: null,
      scopes: ["keys:manage"],
      createdBy: "test",
    });
    const elsewhere = await t.call("POST", "/api/v1/keys", {
      headers: as(operator.key),
      body: { name: "k", orgId: other.id, scopes: ["biomech:read"] },
    });
    expect(elsewhere.status).toBe(201);
  });

  it("defaults to 1000", async () => {
    const { parseConfig } = await import("../../src/platform/config/config.ts");
    expect(parseConfig({ NODE_ENV: "test", BACKPLANE_SECRET: "x".repeat(40) }).KEYS_MAX_PER_ORG).toBe(1000);
  });
});
