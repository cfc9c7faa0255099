import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateApiKey, parseApiKey } from "../../src/platform/auth/api-key-format.ts";
import { createKeyVerifier } from "../../src/platform/auth/key-verifier.ts";
import { openPostgres } from "../../src/platform/db/open-postgres.ts";
import { createKey } from "../../src/platform/keys/create-key.ts";
import { createOrg } from "../../src/platform/orgs/create-org.ts";
import { expectNoSecretsInLogs, withBadChecksum } from "../support/auth-checks.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let orgA: string;
let orgB: string;
let adminA: string;
let platformAdmin: string;
const secrets: string[] = [];

const as = (key: string) => ({ "x-api-key": key });
const remember = <T extends { key: string }>(value: T): T => {
  secrets.push(value.key);
  return value;
};

beforeAll(async () => {
  t = await createTestApp({ env: { LOG_LEVEL: "trace" } });
  const { db, config } = t.services;
  orgA = (await createOrg(db, { name: "Acme" })).id;
  orgB = (await createOrg(db, { name: "Bolt" })).id;
  const base = { secret: config.BACKPLANE_SECRET, scopes: ["keys:manage"], createdBy: "test" };
  // An org admin grants only scopes it holds, so admin A holds the one it hands out here.
  adminA = remember(await createKey(db, { ...base, name: "admin A", orgId: orgA, scopes: ["keys:manage", "biomech:read"] })).key;
  platformAdmin = remember(await createKey(db, { ...base, name: "platform", orgId: null })).key;
});
afterAll(() => t.close());

async function sessionsStatus(key: string, orgId = orgA) {
  return (await t.call("GET", `/api/biomech/sessions?orgId=${orgId}&limit=1`, { headers: as(key) })).status;
}

describe("key format", () => {
  it("has 142 bits of randomness and a checksum that catches every one-character change", () => {
    const key = generateApiKey("live");
    expect(key).toMatch(/^bp_live_[0-9A-Za-z]{30}$/);
    expect(parseApiKey(key)).toEqual({ environment: "live", displayPrefix: key.slice(0, 12) });
    expect(parseApiKey(withBadChecksum(key))).toBeNull();
    for (let i = 8; i < key.length; i++) {
      const changed = key.slice(0, i) + (key[i] === "x" ? "y" : "x") + key.slice(i + 1);
      expect(parseApiKey(changed), changed).toBeNull();
    }
    expect(new Set(Array.from({ length: 1000 }, () => generateApiKey("test"))).size).toBe(1000);
  });

  it("rejects a bad checksum before any database lookup", async () => {
    // A database that cannot be reached: any query would throw.
    const db = openPostgres({ url: "postgres://nobody@127.0.0.1:9/none", poolMax: 1 });
    const verifier = createKeyVerifier({ db, config: t.config, log: t.services.log });
    expect(await verifier.verify(withBadChecksum(generateApiKey("live")))).toEqual({ ok: false, reason: "malformed" });
    await expect(verifier.verify(generateApiKey("live"))).rejects.toThrow();
    await db.close();
  });
});

describe("POST /api/v1/keys", () => {
  it("returns the full key once; it is stored only as a digest and a prefix", async () => {
    const res = await t.call("POST", "/api/v1/keys", { headers: as(adminA), body: { name: "reader", scopes: ["biomech:read"] } });
    expect(res.status).toBe(201);
    const created = remember(res.body);
    expect(created).toMatchObject({
      name: "reader",
      orgId: orgA,
      scopes: ["biomech:read"],
      environment: "live",
      expiresAt: null,
      revokedAt: null,
    });
    expect(created.key.startsWith(created.prefix)).toBe(true);
    expect(created.id).toMatch(/^key_[0-9a-z]{20}$/);
    expect(created.createdBy).not.toBe(adminA);
    const rows = await t.services.db.query<Record<string, unknown>>("SELECT * FROM backplane.api_keys WHERE id = $1", [created.id]);
    expect(JSON.stringify(rows)).not.toContain(created.key);
    expect(await sessionsStatus(created.key)).toBe(200);

    const list = await t.call("GET", "/api/v1/keys", { headers: as(adminA) });
    expect(list.text).not.toContain(created.key);
    expect(list.body.data.find((key: { id: string }) => key.id === created.id)).not.toHaveProperty("key");
  });

  it("validates scopes, names and expiry", async () => {
    for (const body of [
      { name: "x", scopes: ["biomech:raed"] },
      { name: "x", scopes: [] },
      { name: "", scopes: ["biomech:read"] },
      { name: "x", scopes: ["biomech:read"], expiresAt: "2001-01-01T00:00:00Z" },
      { name: "x", scopes: ["biomech:read"], expiresAt: "tomorrow" },
    ]) {
      const res = await t.call("POST", "/api/v1/keys", { headers: as(adminA), body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
  });

  it("an org-bound admin creates keys only in its own org; a platform admin anywhere", async () => {
    expect(
      (await t.call("POST", "/api/v1/keys", { headers: as(adminA), body: { name: "x", orgId: orgB, scopes: ["biomech:read"] } })).status,
    ).toBe(403);
    expect(
      (await t.call("POST", "/api/v1/keys", { headers: as(adminA), body: { name: "x", orgId: null, scopes: ["biomech:read"] } })).status,
    ).toBe(403);
    const inB = await t.call("POST", "/api/v1/keys", {
      headers: as(platformAdmin),
      body: { name: "x", orgId: orgB, scopes: ["biomech:read"] },
    });
    expect(inB.status).toBe(201);
    remember(inB.body);
    expect(inB.body.orgId).toBe(orgB);
    const missingOrg = await t.call("POST", "/api/v1/keys", {
      headers: as(platformAdmin),
      body: { name: "x", orgId: "org_doesnotexist", scopes: ["biomech:read"] },
    });
    expect(missingOrg.status).toBe(404);
  });

  it("an expiring key works until expiresAt, then 401 expired", async () => {
    const expiresAt = new Date(Date.now() + 1500).toISOString();
    const res = await t.call("POST", "/api/v1/keys", { headers: as(adminA), body: { name: "short", scopes: ["biomech:read"], expiresAt } });
    const key = remember(res.body).key;
    expect(await sessionsStatus(key)).toBe(200);
    await sleep(1600);
    const after = await t.call("GET", `/api/biomech/sessions?orgId=${orgA}`, { headers: as(key) });
    expect(after.status).toBe(401);
    expect(after.body.details.reason).toBe("expired");
  });
});

describe("GET /api/v1/keys", () => {
  it("an org-bound admin sees only its org; a platform admin sees all or filters", async () => {
    const own = await t.call("GET", "/api/v1/keys", { headers: as(adminA) });
    expect(own.body.data.length).toBeGreaterThan(0);
    expect(own.body.data.every((key: { orgId: string }) => key.orgId === orgA)).toBe(true);
    expect((await t.call("GET", `/api/v1/keys?orgId=${orgB}`, { headers: as(adminA) })).status).toBe(403);
    const all = await t.call("GET", "/api/v1/keys", { headers: as(platformAdmin) });
    expect(new Set(all.body.data.map((key: { orgId: string | null }) => key.orgId))).toEqual(new Set([orgA, orgB, null]));
    const onlyB = await t.call("GET", `/api/v1/keys?orgId=${orgB}`, { headers: as(platformAdmin) });
    expect(onlyB.body.data.every((key: { orgId: string }) => key.orgId === orgB)).toBe(true);
  });
});

describe("DELETE /api/v1/keys/{id}", () => {
  it("revokes at once on this instance, idempotently; another org's key is a 404", async () => {
    const created = remember(
      (await t.call("POST", "/api/v1/keys", { headers: as(adminA), body: { name: "to revoke", scopes: ["biomech:read"] } })).body,
    );
    expect(await sessionsStatus(created.key)).toBe(200); // now cached
    const bKey = remember(
      (await t.call("POST", "/api/v1/keys", { headers: as(platformAdmin), body: { name: "b", orgId: orgB, scopes: ["biomech:read"] } }))
        .body,
    );
    expect((await t.call("DELETE", `/api/v1/keys/${bKey.id}`, { headers: as(adminA) })).status).toBe(404);
    expect(await sessionsStatus(bKey.key, orgB)).toBe(200);

    const revoked = await t.call("DELETE", `/api/v1/keys/${created.id}`, { headers: as(adminA) });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    expect(await sessionsStatus(created.key)).toBe(401);
    const again = await t.call("DELETE", `/api/v1/keys/${created.id}`, { headers: as(adminA) });
    expect(again.body.revokedAt).toBe(revoked.body.revokedAt);
    expect((await t.call("DELETE", "/api/v1/keys/key_doesnotexist", { headers: as(adminA) })).status).toBe(404);
  });

  it("another instance stops accepting a revoked key within the cache TTL", async () => {
    const { db, config, log } = t.services;
    const key = remember(
      await createKey(db, { secret: config.BACKPLANE_SECRET, name: "x", orgId: orgA, scopes: ["biomech:read"], createdBy: "test" }),
    );
    // A second process: its own verifier and cache, 1 s TTL.
    const otherInstance = createKeyVerifier({ db, config: { ...config, API_KEY_CACHE_TTL_SECONDS: 1 }, log });
    expect((await otherInstance.verify(key.key)).ok).toBe(true);
    const revoke = await t.call("DELETE", `/api/v1/keys/${key.id}`, { headers: as(adminA) });
    expect(revoke.status).toBe(200);
    expect((await otherInstance.verify(key.key)).ok).toBe(true); // still cached there
    await sleep(1100);
    expect(await otherInstance.verify(key.key)).toEqual({ ok: false, reason: "revoked" });
  });
});

describe("POST /api/v1/keys/{id}/rotate", () => {
  it("issues a successor; the old key works for the overlap, then stops by itself", async () => {
    const old = remember(
      (await t.call("POST", "/api/v1/keys", { headers: as(adminA), body: { name: "rotating", scopes: ["biomech:read"] } })).body,
    );
    const res = await t.call("POST", `/api/v1/keys/${old.id}/rotate`, { headers: as(adminA), body: { overlapSeconds: 1 } });
    expect(res.status).toBe(201);
    const next = remember(res.body.key);
    expect(next).toMatchObject({ name: "rotating", orgId: orgA, scopes: ["biomech:read"] });
    expect(next.key).not.toBe(old.key);
    expect(res.body.previous.replacedBy).toBe(next.id);
    expect(await sessionsStatus(old.key)).toBe(200);
    expect(await sessionsStatus(next.key)).toBe(200);
    await sleep(1100);
    expect(await sessionsStatus(old.key)).toBe(401);
    expect(await sessionsStatus(next.key)).toBe(200);
  });

  it("defaults to a 24 h overlap, keeps the key's lifetime, and refuses to rotate twice", async () => {
    const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const old = remember(
      (await t.call("POST", "/api/v1/keys", { headers: as(adminA), body: { name: "weekly", scopes: ["biomech:read"], expiresAt } })).body,
    );
    const started = Date.now();
    const res = await t.call("POST", `/api/v1/keys/${old.id}/rotate`, { headers: as(adminA) });
    expect(res.status).toBe(201);
    remember(res.body.key);
    expect(Math.abs(Date.parse(res.body.previous.expiresAt) - (started + 86_400_000))).toBeLessThan(5_000);
    expect(Math.abs(Date.parse(res.body.key.expiresAt) - (started + 7 * 86_400_000))).toBeLessThan(5_000);
    const twice = await t.call("POST", `/api/v1/keys/${old.id}/rotate`, { headers: as(adminA) });
    expect(twice.status).toBe(409);
  });

  it("refuses a revoked key and bad overlaps", async () => {
    const key = remember(
      (await t.call("POST", "/api/v1/keys", { headers: as(adminA), body: { name: "r", scopes: ["biomech:read"] } })).body,
    );
    expect((await t.call("POST", `/api/v1/keys/${key.id}/rotate`, { headers: as(adminA), body: { overlapSeconds: -1 } })).status).toBe(400);
    await t.call("DELETE", `/api/v1/keys/${key.id}`, { headers: as(adminA) });
    expect((await t.call("POST", `/api/v1/keys/${key.id}/rotate`, { headers: as(adminA) })).status).toBe(409);
  });
});

describe("last_used_at", () => {
  it("is set on use and then moves at most once a minute", async () => {
    const { db, config } = t.services;
    const key = remember(
      await createKey(db, { secret: config.BACKPLANE_SECRET, name: "u", orgId: orgA, scopes: ["biomech:read"], createdBy: "test" }),
    );
    const lastUsed = async () =>
      (await db.query<{ last_used_at: Date | null }>("SELECT last_used_at FROM backplane.api_keys WHERE id = $1", [key.id]))[0]
        ?.last_used_at;
    expect(await lastUsed()).toBeNull();
    await sessionsStatus(key.key);
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    for (let i = 0; i < 5; i++) await sessionsStatus(key.key);
    expect((await lastUsed())?.getTime()).toBe(first?.getTime());
  });
});

describe("log scan", () => {
  it("no key used in this file reached the log", () => {
    expectNoSecretsInLogs(t, secrets);
  });
});
