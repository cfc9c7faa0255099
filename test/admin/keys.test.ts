import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrg } from "../../src/platform/orgs/create-org.ts";
import { expectNoSecretsInLogs } from "../support/auth-checks.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { type AdminBrowser, auditRows, signInAdmin } from "./support.ts";

let t: TestApp;
let browser: AdminBrowser;
let orgId: string;
const secrets = new Set<string>();

beforeAll(async () => {
  t = await createTestApp();
  browser = await signInAdmin(t);
  secrets.add(browser.key);
  orgId = (await createOrg(t.services.db, { name: `Keys page ${Date.now()}` })).id;
});
afterAll(() => t.close());

const secretOf = (page: string) => /<code id="new-key" class="secret">([^<]+)<\/code>/.exec(page)?.[1] as string;
const idOf = (page: string) => /<tr><th>Id<\/th><td><code>(key_[0-9a-z]+)<\/code>/.exec(page)?.[1] as string;

async function createThroughForm(scopes: string[], name = "console-made") {
  const res = await browser.post("/admin/keys", { org: orgId, name, scope: scopes, expiresInDays: "30", environment: "live" });
  const page = await res.text();
  expect(res.status, page).toBe(200);
  const key = secretOf(page);
  secrets.add(key);
  return { res, page, key, id: idOf(page) };
}

describe("admin console: API keys", () => {
  it("creates a key for an org and shows its secret once, on an uncached page; the key works; audited as the admin key", async () => {
    const { res, key, id } = await createThroughForm(["audit:read", "keys:manage"]);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(key).toMatch(/^bp_live_/);
    const works = await t.call("GET", "/api/v1/audit", { headers: { "x-api-key": key } });
    expect(works.status).toBe(200);
    const [row] = await auditRows(t, "key.created");
    expect(row).toMatchObject({ actor_type: "api_key", actor_id: browser.keyId, org_id: orgId, target_id: id });
    const list = await (await browser.get(`/admin/keys?org=${orgId}`)).text();
    expect(list).toContain(id);
    expect(list).not.toContain(key);
    const [stored] = await t.services.db.query<{ org_id: string; scopes: string[]; expires_at: Date }>(
      "SELECT org_id, scopes, expires_at FROM backplane.api_keys WHERE id = $1",
      [id],
    );
    expect(stored?.org_id).toBe(orgId);
    expect(stored?.scopes.sort()).toEqual(["audit:read", "keys:manage"]);
    expect(Math.abs((stored?.expires_at.getTime() ?? 0) - (Date.now() + 30 * 86_400_000))).toBeLessThan(60_000);
  });

  it("creates platform-wide keys (no org), such as another admin key", async () => {
    const res = await browser.post("/admin/keys", { org: "", name: "second operator", scope: ["admin:console"] });
    expect(res.status).toBe(200);
    const page = await res.text();
    secrets.add(secretOf(page));
    expect(page).toContain("platform-wide");
    expect(await (await browser.get("/admin/keys")).text()).toContain(idOf(page));
  });

  it("refuses a key with no scope, an unknown scope, a bad expiry or a bad org with a 4xx page, and makes nothing", async () => {
    const before = await t.services.db.query("SELECT id FROM backplane.api_keys");
    for (const fields of [
      { org: orgId, name: "none" },
      { org: orgId, name: "typo", scope: ["audit:raed"] },
      { org: orgId, name: "days", scope: ["audit:read"], expiresInDays: "-3" },
      { org: "not-an-org", name: "org", scope: ["audit:read"] },
    ]) {
      const res = await browser.post("/admin/keys", fields);
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expect(res.headers.get("content-type")).toContain("text/html");
    }
    const missing = await browser.post("/admin/keys", { org: "org_doesnotexist0000", name: "x", scope: ["audit:read"] });
    expect(missing.status).toBe(404);
    expect((await t.services.db.query("SELECT id FROM backplane.api_keys")).length).toBe(before.length);
    expect((await browser.get("/admin/keys?org=nope")).status).toBe(400);
    expect((await browser.get("/admin/keys?org=org_doesnotexist0000")).status).toBe(404);
  });

  it("revokes a key: the API refuses it at once, the list says revoked, audited; without the CSRF token nothing happens", async () => {
    const { key, id } = await createThroughForm(["audit:read"], "to revoke");
    expect((await browser.post(`/admin/keys/${id}/revoke`, {}, { csrf: null })).status).toBe(403);
    expect((await t.call("GET", "/api/v1/audit", { headers: { "x-api-key": key } })).status).toBe(200);
    const res = await browser.post(`/admin/keys/${id}/revoke`);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/admin/keys?org=${orgId}&done=key-revoked&id=${id}`);
    const refused = await t.call("GET", "/api/v1/audit", { headers: { "x-api-key": key } });
    expect(refused.status).toBe(401);
    expect(refused.body.details.reason).toBe("revoked");
    const page = await (await browser.get(res.headers.get("location") as string)).text();
    expect(page).toContain("Key revoked");
    const rowOfKey =
      page
        .split("<tr>")
        .slice(1)
        .find((row) => row.includes(id)) ?? "";
    expect(rowOfKey).toContain('<span class="status bad">revoked</span>');
    expect(rowOfKey).not.toContain("/revoke");
    const [row] = await auditRows(t, "key.revoked");
    expect(row).toMatchObject({ actor_id: browser.keyId, target_id: id, org_id: orgId });
    expect((await browser.post("/admin/keys/key_nope/revoke")).status).toBe(404);
  });

  it("rotates a key: the successor's secret is shown once, the old key stops when chosen (now), audited", async () => {
    const { key, id } = await createThroughForm(["audit:read"], "to rotate");
    expect((await browser.post(`/admin/keys/${id}/rotate`, { overlapSeconds: "12345" })).status).toBe(400);
    const res = await browser.post(`/admin/keys/${id}/rotate`, { overlapSeconds: "0" });
    const page = await res.text();
    expect(res.status, page).toBe(200);
    const successor = secretOf(page);
    secrets.add(successor);
    expect(successor).not.toBe(key);
    expect((await t.call("GET", "/api/v1/audit", { headers: { "x-api-key": successor } })).status).toBe(200);
    expect((await t.call("GET", "/api/v1/audit", { headers: { "x-api-key": key } })).status).toBe(401);
    const [row] = await auditRows(t, "key.rotated");
    expect(row).toMatchObject({ actor_id: browser.keyId, target_id: id });
    expect(row?.metadata).toMatchObject({ successorId: idOf(page) });
    // A rotated key cannot be rotated again.
    expect((await browser.post(`/admin/keys/${id}/rotate`, { overlapSeconds: "0" })).status).toBe(409);
  });

  it("never writes a key it showed to the log", () => {
    expectNoSecretsInLogs(t, secrets);
  });
});
