import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../../src/platform/keys/create-key.ts";
import { createOrg } from "../../src/platform/orgs/create-org.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let orgId: string;

const as = (key: string) => ({ "x-api-key": key });
const HOUR = 3_600_000;

beforeAll(async () => {
  t = await createTestApp();
  orgId = (await createOrg(t.services.db, { name: "Acme" })).id;
});
afterAll(() => t.close());

/** An org admin made by the operator (CLI path): keys:manage, optionally expiring. */
function orgAdmin(expiresInMs: number | null, scopes = ["keys:manage"]) {
  return createKey(t.services.db, {
    secret: t.config.BACKPLANE_SECRET,
    name: "org admin",
    orgId,
    scopes,
    expiresAt: expiresInMs === null ? null : new Date(Date.now() + expiresInMs),
    createdBy: "test",
  });
}

const create = (key: string, body: Record<string, unknown>) =>
  t.call("POST", "/api/v1/keys", { headers: as(key), body: { name: "child", ...body } });
const works = async (key: string) =>
  (await t.call("GET", "/api/v1/keys?limit=1", { headers: as(key) })).status !== 401 &&
  (await t.call("GET", `/api/biomech/sessions?orgId=${orgId}&limit=1`, { headers: as(key) })).status !== 401;

describe("delegation limits (org-bound keys:manage keys)", () => {
  it("grants only scopes the caller holds", async () => {
    const admin = await orgAdmin(null);
    const res = await create(admin.key, { scopes: ["keys:manage", "biomech:read"] });
    expect(res.status, res.text).toBe(403);
    expect(res.body.error.code).toBe("forbidden");
    expect(res.body.details.scopesNotHeld).toEqual(["biomech:read"]);
    const ok = await create(admin.key, { scopes: ["keys:manage"] });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.parentKeyId).toBe(admin.id);
  });

  it("a 1-hour key cannot mint a key that outlives it: no expiry means its own, a later one is refused", async () => {
    const admin = await orgAdmin(HOUR);
    const inherited = await create(admin.key, { scopes: ["keys:manage"] });
    expect(inherited.status, inherited.text).toBe(201);
    expect(inherited.body.expiresAt).toBe(admin.expiresAt);
    const later = await create(admin.key, { scopes: ["keys:manage"], expiresAt: new Date(Date.now() + 2 * HOUR).toISOString() });
    expect(later.status, later.text).toBe(403);
    expect(later.body.details.maxExpiresAt).toBe(admin.expiresAt);
    const earlier = new Date(Date.now() + HOUR / 2).toISOString();
    const shorter = await create(admin.key, { scopes: ["keys:manage"], expiresAt: earlier });
    expect(shorter.status).toBe(201);
    expect(shorter.body.expiresAt).toBe(earlier);
  });

  it("cannot rotate a key with scopes it lacks (it would receive that key's secret)", async () => {
    const admin = await orgAdmin(HOUR);
    const reader = await orgAdmin(null, ["biomech:read"]);
    const res = await t.call("POST", `/api/v1/keys/${reader.id}/rotate`, { headers: as(admin.key) });
    expect(res.status, res.text).toBe(403);
    // A key it may rotate gets a successor that lives no longer than the caller.
    const own = (await create(admin.key, { scopes: ["keys:manage"] })).body;
    const rotated = await t.call("POST", `/api/v1/keys/${own.id}/rotate`, { headers: as(admin.key) });
    expect(rotated.status, rotated.text).toBe(201);
    expect(Date.parse(rotated.body.key.expiresAt)).toBeLessThanOrEqual(Date.parse(admin.expiresAt as string));
    expect(rotated.body.key.parentKeyId).toBe(admin.id);
  });

  it("a platform-wide (operator) key may grant any scope and expiry", async () => {
    const operator = await createKey(t.services.db, {
      secret: t.config.BACKPLANE_SECRET,
      name: "operator",
      orgId: null,
      scopes: ["keys:manage"],
      expiresAt: new Date(Date.now() + HOUR),
      createdBy: "test",
    });
    const res = await create(operator.key, { orgId, scopes: ["biomech:read", "keys:manage"] });
    expect(res.status, res.text).toBe(201);
    expect(res.body.expiresAt).toBeNull();
    expect(res.body.parentKeyId).toBe(operator.id);
  });
});

describe("DELETE /api/v1/keys/{id}?cascade=true", () => {
  it("the review's case: a child minted by a revoked 1-hour admin stops working when the admin is revoked with cascade", async () => {
    const admin = await orgAdmin(HOUR);
    const child = (await create(admin.key, { scopes: ["keys:manage"] })).body;
    const grandchild = (await create(child.key, { scopes: ["keys:manage"] })).body;
    const other = await orgAdmin(null);
    expect(await works(child.key)).toBe(true);

    const res = await t.call("DELETE", `/api/v1/keys/${admin.id}?cascade=true`, { headers: as(other.key) });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ id: admin.id, revokedDescendants: 2 });
    expect(res.body.revokedAt).not.toBeNull();
    expect(await works(child.key)).toBe(false);
    expect(await works(grandchild.key)).toBe(false);
    expect(await works(other.key)).toBe(true);

    // Idempotent: nothing more to revoke.
    const again = await t.call("DELETE", `/api/v1/keys/${admin.id}?cascade=true`, { headers: as(other.key) });
    expect(again.body.revokedDescendants).toBe(0);
  });

  it("without cascade only the key itself is revoked; cascade also reaches keys created by a rotated child's successor chain", async () => {
    const admin = await orgAdmin(null);
    const child = (await create(admin.key, { scopes: ["keys:manage"] })).body;
    const other = await orgAdmin(null);
    const plain = await t.call("DELETE", `/api/v1/keys/${admin.id}`, { headers: as(other.key) });
    expect(plain.body.revokedDescendants).toBe(0);
    expect(await works(child.key)).toBe(true);

    const rotated = (await t.call("POST", `/api/v1/keys/${child.id}/rotate`, { headers: as(other.key) })).body;
    expect(rotated.key.parentKeyId).toBe(admin.id);
    const fromSuccessor = (await create(rotated.key.key, { scopes: ["keys:manage"] })).body;
    const res = await t.call("DELETE", `/api/v1/keys/${admin.id}?cascade=true`, { headers: as(other.key) });
    expect(res.body.revokedDescendants).toBe(3); // the child (in its overlap), its successor, and the successor's key
    for (const key of [child.key, rotated.key.key, fromSuccessor.key]) expect(await works(key)).toBe(false);
  });

  it("an org-bound caller cannot cascade into another org", async () => {
    const other = await createOrg(t.services.db, { name: "Bolt" });
    const foreign = await createKey(t.services.db, {
      secret: t.config.BACKPLANE_SECRET,
      name: "b",
      orgId: other.id,
      scopes: ["keys:manage"],
      createdBy: "test",
    });
    const admin = await orgAdmin(null);
    expect((await t.call("DELETE", `/api/v1/keys/${foreign.id}?cascade=true`, { headers: as(admin.key) })).status).toBe(404);
    expect((await t.call("DELETE", `/api/v1/keys/${admin.id}?cascade=maybe`, { headers: as(admin.key) })).status).toBe(400);
  });
});
