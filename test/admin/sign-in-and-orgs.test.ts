import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteOldAdminSessions } from "../../src/platform/admin/admin-sessions.ts";
import { revokeKey } from "../../src/platform/keys/revoke-key.ts";
import { createOrg } from "../../src/platform/orgs/create-org.ts";
import { asService } from "../../src/platform/tenancy/with-tenant.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { auditRows, formBody, makeAdminKey, ORIGIN, postSignIn, signInAdmin } from "./support.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe("admin console: sign-in", () => {
  it("sends a page to sign-in and refuses a form post without a session", async () => {
    const page = await t.app.request("/admin/orgs");
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe("/admin/sign-in");
    const root = await t.app.request("/admin");
    expect(root.status).toBe(303);
    expect(root.headers.get("location")).toBe("/admin/sign-in");
    const post = await t.app.request("/admin/orgs", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: ORIGIN },
      body: formBody({ name: "Nope" }),
    });
    expect(post.status).toBe(401);
    expect(post.headers.get("content-type")).toContain("text/html");
    expect(await post.text()).toContain("Sign in to the admin console first");
    const forged = await t.app.request("/admin/orgs", { headers: { cookie: "bp_admin=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" } });
    expect(forged.status).toBe(303);
    // No such page: the platform's 404 (and 405 for a wrong method), not a sign-in redirect.
    expect((await t.app.request("/admin/nope")).status).toBe(404);
    expect((await t.app.request("/admin/orgs/")).status).toBe(404);
    expect((await t.app.request("/admin/orgs", { method: "DELETE", headers: { origin: ORIGIN } })).status).toBe(405);
  });

  it("serves the sign-in form under a strict Content-Security-Policy, not cached", async () => {
    const res = await t.app.request("/admin/sign-in");
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    expect(html).toContain('<form method="post" action="/admin/sign-in"');
    expect(html).not.toMatch(/<script>|<style>|style="/);
    for (const asset of ["/admin/assets/admin.js", "/admin/assets/admin.css"]) {
      const served = await t.app.request(asset);
      expect(served.status, asset).toBe(200);
      expect(html).toContain(asset);
    }
  });

  it("refuses an unknown key (401), a key without admin:console and an org-bound admin key (403), and audits the refusals", async () => {
    expect((await postSignIn(t, "bp_live_not-a-key")).status).toBe(401);
    const plain = await makeAdminKey(t, ["keys:manage", "queue:manage"]);
    const refused = await postSignIn(t, plain.key);
    expect(refused.status).toBe(403);
    expect(refused.headers.get("set-cookie")).toBeNull();
    expect(await refused.text()).toContain("needs the admin:console scope on a platform-wide key");
    const org = await createOrg(t.services.db, { name: `Bound ${Date.now()}` });
    const bound = await makeAdminKey(t, ["admin:console"], org.id);
    expect((await postSignIn(t, bound.key)).status).toBe(403);
    const rows = await auditRows(t, "admin.sign_in_refused");
    expect(rows.map((row) => row.actor_id)).toEqual(expect.arrayContaining([plain.id, bound.id]));
  });

  it("refuses a sign-in post from another site", async () => {
    const admin = await makeAdminKey(t);
    expect((await postSignIn(t, admin.key, { origin: "https://evil.example" })).status).toBe(403);
    expect((await postSignIn(t, admin.key, {})).status).toBe(403);
  });

  it("exchanges an admin key for a one-hour HttpOnly SameSite=Strict cookie (Secure over HTTPS) and audits it", async () => {
    const admin = await makeAdminKey(t);
    const res = await postSignIn(t, admin.key);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin");
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^bp_admin=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Max-Age=3600/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/);
    expect(cookie).not.toContain(admin.key);
    const [row] = await auditRows(t, "admin.signed_in");
    expect(row).toMatchObject({ actor_type: "api_key", actor_id: admin.id, target_type: "admin_session" });

    const secure = await t.app.request("https://localhost/admin/sign-in", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://localhost" },
      body: formBody({ key: admin.key }),
    });
    expect(secure.status).toBe(303);
    expect(secure.headers.get("set-cookie")).toMatch(/^__Host-bp_admin=.*; Secure/);
  });

  it("signs out: the session ends server-side (the old cookie no longer works), the cookie is cleared, and it is audited", async () => {
    const browser = await signInAdmin(t);
    expect((await browser.get("/admin/orgs")).status).toBe(200);
    const out = await browser.post("/admin/sign-out");
    expect(out.status).toBe(303);
    expect(out.headers.get("location")).toBe("/admin/sign-in");
    expect(out.headers.get("set-cookie")).toMatch(/bp_admin=;.*Max-Age=0/);
    const after = await browser.get("/admin/orgs");
    expect(after.status).toBe(303);
    const [row] = await auditRows(t, "admin.signed_out");
    expect(row).toMatchObject({ actor_id: browser.keyId, target_type: "admin_session" });
  });

  it("revoking the admin key, or taking its scope away, ends its sessions at the next request", async () => {
    const browser = await signInAdmin(t);
    await revokeKey(t.services.db, { id: browser.keyId, withinOrg: null });
    expect((await browser.get("/admin/orgs")).status).toBe(303);
    const other = await signInAdmin(t);
    await t.services.db.query("UPDATE backplane.api_keys SET scopes = '{keys:manage}' WHERE id = $1", [other.keyId]);
    expect((await other.get("/admin/orgs")).status).toBe(303);
  });

  it("stores only the token's digest, and the daily cleanup deletes sessions a day past their end", async () => {
    const browser = await signInAdmin(t);
    const token = browser.cookie.split("=")[1] as string;
    const rows = await t.services.db.query<{ id: string; token_hash: string }>(
      "SELECT id, token_hash FROM backplane.admin_sessions WHERE key_id = $1",
      [browser.keyId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_hash).not.toContain(token);
    const old = await signInAdmin(t);
    await t.services.db.query("UPDATE backplane.admin_sessions SET expires_at = now() - interval '25 hours' WHERE key_id = $1", [
      old.keyId,
    ]);
    const deleted = await asService(t.services.db, "test cleanup", (tx) => deleteOldAdminSessions(tx, new Date()));
    expect(deleted).toBeGreaterThanOrEqual(1);
    expect(await t.services.db.query("SELECT 1 FROM backplane.admin_sessions WHERE key_id = $1", [old.keyId])).toEqual([]);
    expect((await browser.get("/admin/orgs")).status).toBe(200);
  });

  it("keeps the console out of the OpenAPI document", async () => {
    const doc = await t.call("GET", "/api/openapi.json");
    expect(Object.keys(doc.body.paths).filter((path) => path.startsWith("/admin"))).toEqual([]);
  });
});

describe("admin console: CSRF", () => {
  it("refuses a form post without the token, with a wrong one, with another session's, or from another site (403), and changes nothing", async () => {
    const browser = await signInAdmin(t);
    const other = await signInAdmin(t);
    const attempts = [
      { csrf: null },
      { csrf: "wrong" },
      { csrf: `${browser.csrf.slice(0, -1)}${browser.csrf.endsWith("A") ? "B" : "A"}` },
      { csrf: other.csrf },
      { headers: { origin: "https://evil.example" } },
      { headers: { origin: "null" } },
    ];
    for (const [i, options] of attempts.entries()) {
      const res = await browser.post("/admin/orgs", { name: `CSRF probe ${i}` }, options);
      expect(res.status, JSON.stringify(options)).toBe(403);
      expect(await res.text()).toMatch(/CSRF token|Cross-site request refused/);
    }
    // Neither Origin nor Sec-Fetch-Site: refused too.
    const bare = await t.app.request("/admin/orgs", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: browser.cookie },
      body: formBody({ name: "CSRF probe bare", _csrf: browser.csrf }),
    });
    expect(bare.status).toBe(403);
    const made = await t.services.db.query("SELECT 1 FROM backplane.orgs WHERE name LIKE 'CSRF probe%'");
    expect(made).toEqual([]);
  });

  it("sign-out is a form like any other: without the token it is refused and the session lives on", async () => {
    const browser = await signInAdmin(t);
    expect((await browser.post("/admin/sign-out", {}, { csrf: null })).status).toBe(403);
    expect((await browser.get("/admin/orgs")).status).toBe(200);
  });
});

describe("admin console: orgs", () => {
  it("creates an org (audited as the admin key) and lists it, escaping what it shows", async () => {
    const browser = await signInAdmin(t);
    const name = `<script>alert("x")</script> & Co ${Date.now()}`;
    const res = await browser.post("/admin/orgs", { name, slug: `xss-${Date.now()}` });
    expect(res.status).toBe(303);
    const location = res.headers.get("location") ?? "";
    const orgId = /id=(org_[0-9a-z]+)/.exec(location)?.[1] as string;
    expect(location).toMatch(/^\/admin\/keys\?org=org_/);
    const [row] = await auditRows(t, "org.created");
    expect(row).toMatchObject({ actor_type: "api_key", actor_id: browser.keyId, org_id: orgId, target_id: orgId });
    const page = await (await browser.get(`/admin/orgs?from=xss-`)).text();
    expect(page).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co");
    expect(page).not.toContain('<script>alert("x")');
  });

  it("refuses a taken slug or a malformed one with a 4xx page, not a 500", async () => {
    const browser = await signInAdmin(t);
    const slug = `taken-${Date.now()}`;
    expect((await browser.post("/admin/orgs", { name: "One", slug })).status).toBe(303);
    const again = await browser.post("/admin/orgs", { name: "Two", slug });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("already exists");
    expect((await browser.post("/admin/orgs", { name: "Bad", slug: "Not A Slug" })).status).toBe(400);
  });

  it("pages through orgs by slug with a signed cursor; an edited cursor is a 400", async () => {
    const browser = await signInAdmin(t);
    const stem = `page-${Date.now()}`;
    for (let i = 0; i < 55; i++) await createOrg(t.services.db, { name: `Paged ${i}`, slug: `${stem}-${String(i).padStart(2, "0")}` });
    const first = await (await browser.get(`/admin/orgs?from=${stem}`)).text();
    expect(first).toContain(`${stem}-00`);
    expect(first).toContain(`${stem}-49`);
    expect(first).not.toContain(`${stem}-50`);
    const next = /href="\/admin\/orgs\?([^"]*cursor=[^"]+)" rel="next"/.exec(first)?.[1]?.replaceAll("&amp;", "&") as string;
    expect(next).toBeTruthy();
    const second = await (await browser.get(`/admin/orgs?${next}`)).text();
    expect(second).toContain(`${stem}-50`);
    expect(second).toContain(`${stem}-54`);
    expect(second).not.toContain(`${stem}-49<`);
    const tampered = next.replace(
      /cursor=([^&]+)/,
      (_, value: string) => `cursor=${value.replace(/^./, (ch) => (ch === "e" ? "f" : "e"))}`,
    );
    expect((await browser.get(`/admin/orgs?${tampered}`)).status).toBe(400);
  });

  it("shows a notice only from the fixed list, never text from the URL", async () => {
    const browser = await signInAdmin(t);
    const page = await (await browser.get("/admin/orgs?done=<b>pwned</b>&id=<i>x</i>")).text();
    expect(page).not.toContain("pwned");
    const known = await (await browser.get("/admin/orgs?done=org-created&id=<i>x</i>")).text();
    expect(known).toContain("Org created");
    expect(known).not.toContain("<i>x</i>");
    expect(known).not.toContain("&lt;i&gt;x");
  });
});
