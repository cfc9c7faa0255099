import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../../src/platform/keys/create-key.ts";
import { revokeKey } from "../../src/platform/keys/revoke-key.ts";
import { createOrg } from "../../src/platform/orgs/create-org.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let open: TestApp;
let key: { id: string; key: string };

beforeAll(async () => {
  t = await createTestApp({ env: { DOCS_REQUIRE_KEY: "true" } });
  open = await createTestApp();
  const org = await createOrg(t.services.db, { name: "Docs" });
  key = await createKey(t.services.db, {
    secret: t.config.BACKPLANE_SECRET,
    name: "reader",
    orgId: org.id,
    scopes: ["keys:manage"],
    createdBy: "test",
  });
});
afterAll(async () => {
  await t.close();
  await open.close();
});

const signIn = (app: TestApp, value: string) =>
  app.app.request("/api/docs/session", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: `key=${encodeURIComponent(value)}`,
  });

describe("docs behind a key (DOCS_REQUIRE_KEY)", () => {
  it("without a key: the page is a sign-in form (no key in any URL) and the document a 401", async () => {
    const page = await t.app.request("/api/docs");
    expect(page.status).toBe(401);
    const html = await page.text();
    expect(html).toContain('<form method="post" action="/api/docs/session">');
    expect(html).toContain('type="password"');
    const doc = await t.call("GET", "/api/openapi.json");
    expect(doc.status).toBe(401);
    expect(doc.body.error.code).toBe("unauthorized");
  });

  it("a valid key in X-API-Key opens both", async () => {
    expect((await t.call("GET", "/api/openapi.json", { headers: { "x-api-key": key.key } })).status).toBe(200);
    expect((await t.app.request("/api/docs", { headers: { "x-api-key": key.key } })).status).toBe(200);
  });

  it("the form exchanges a key for a short-lived HttpOnly cookie; a bad key gets the form again; revoking the key ends the session", async () => {
    const bad = await signIn(t, "bp_live_not-a-key");
    expect(bad.status).toBe(401);
    expect(await bad.text()).toContain("not valid");
    const res = await signIn(t, key.key);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/api/docs");
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^bp_docs=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Max-Age=3600/);
    expect(cookie).not.toContain(key.key);
    const session = cookie.split(";")[0] as string;
    expect((await t.app.request("/api/openapi.json", { headers: { cookie: session } })).status).toBe(200);
    expect((await t.app.request("/api/docs", { headers: { cookie: session } })).status).toBe(200);
    const forged = session.replace(/.$/, (ch) => (ch === "A" ? "B" : "A"));
    expect((await t.app.request("/api/openapi.json", { headers: { cookie: forged } })).status).toBe(401);
    await revokeKey(t.services.db, { id: key.id, withinOrg: null });
    expect((await t.app.request("/api/openapi.json", { headers: { cookie: session } })).status).toBe(401);
  });

  it("off by default outside production", async () => {
    expect((await open.app.request("/api/openapi.json")).status).toBe(200);
    expect((await open.app.request("/api/docs")).status).toBe(200);
  });
});
