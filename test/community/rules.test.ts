import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { communityModule } from "../../src/modules/community/module.ts";
import { describeUserAuthChecks } from "../support/auth-checks.ts";
import { signInUser } from "../support/sign-in.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ env: { LOG_LEVEL: "info", RATE_LIMITS_ENABLED: "false" }, modules: [communityModule] });
});
afterAll(async () => {
  await t.close();
});

let counter = 0;
const fresh = () => signInUser(t, `rules-${++counter}@example.test`);

describe("GET/POST /api/rules", () => {
  it("publishes a rule owned by the signed-in user; the list is public and shows metadata only", async () => {
    const user = await fresh();
    const document = { sections: [{ title: "Decisions", body: "By consent." }] };
    const res = await t.call("POST", "/api/rules", {
      body: { title: "  Our garden rule ", summary: "How we decide", document },
      headers: user.headers,
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ title: "Our garden rule", summary: "How we decide", document });
    expect(res.body.id).toMatch(/^rul_/);
    const owner = await t.services.db.query<{ user_id: string }>("SELECT user_id FROM community.rules WHERE id = $1", [res.body.id]);
    expect(owner).toEqual([{ user_id: user.userId }]);

    const list = await t.call("GET", "/api/rules");
    expect(list.status).toBe(200);
    const listed = list.body.data.find((rule: { id: string }) => rule.id === res.body.id);
    expect(Object.keys(listed).sort()).toEqual(["createdAt", "id", "summary", "title", "updatedAt"]);
  });

  it("pages newest first with a keyset cursor: every rule once, in order, stable under new inserts", async () => {
    const user = await fresh();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await t.call("POST", "/api/rules", { body: { title: `Paging ${i}`, document: { i } }, headers: user.headers });
      ids.push(res.body.id);
    }
    const all = await t.services.db.query<{ id: string }>("SELECT id FROM community.rules ORDER BY created_at DESC, id DESC");
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=3&cursor=${encodeURIComponent(cursor)}` : "?limit=3";
      const page = await t.call("GET", `/api/rules${query}`);
      expect(page.status, page.text).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.data.map((rule: { id: string }) => rule.id));
      if (pages === 0) await t.call("POST", "/api/rules", { body: { title: "Arrived while paging", document: {} }, headers: user.headers });
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    expect(seen).toEqual(all.map((row) => row.id));
    expect(seen.slice(0, 7)).toEqual([...ids].reverse());
  });

  it("refuses bad input with 400 (title 1–200, summary ≤ 1000, document an object, bad cursor) and stores nothing", async () => {
    const user = await fresh();
    const before = await t.services.db.query("SELECT id FROM community.rules");
    for (const body of [
      { document: {} },
      { title: "", document: {} },
      { title: "x".repeat(201), document: {} },
      { title: "ok", summary: "s".repeat(1001), document: {} },
      { title: "ok", document: "text" },
      { title: "ok" },
    ]) {
      const res = await t.call("POST", "/api/rules", { body, headers: user.headers });
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
    }
    expect(await t.services.db.query("SELECT id FROM community.rules")).toEqual(before);
    expect((await t.call("GET", "/api/rules?limit=0")).status).toBe(400);
    expect((await t.call("GET", "/api/rules?limit=101")).status).toBe(400);
    expect((await t.call("GET", "/api/rules?cursor=forged.cursor")).status).toBe(400);
  });

  it("has no edit or delete in v1", async () => {
    expect((await t.call("DELETE", "/api/rules")).status).toBe(405);
    expect((await t.call("PUT", "/api/rules")).status).toBe(405);
  });

  describe("POST security", () => {
    describeUserAuthChecks({
      app: () => t,
      request: () => ({ method: "POST", path: "/api/rules", body: { title: "Security check", document: {} } }),
      okStatus: 201,
    });
  });
});

describe("GET /api/templates", () => {
  it("lists at least six curated templates in order, each a real rule document", async () => {
    const res = await t.call("GET", "/api/templates");
    expect(res.status).toBe(200);
    expect(res.body.data.length).toBeGreaterThanOrEqual(6);
    const positions = res.body.data.map((template: { position: number }) => template.position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    for (const template of res.body.data) {
      expect(template.slug).toMatch(/^[a-z0-9-]+$/);
      expect(template.document.sections.length).toBeGreaterThanOrEqual(3);
    }
    expect(res.body.data.map((template: { slug: string }) => template.slug)).toContain("consensus");
    const one = await t.call("GET", "/api/templates?category=Leadership");
    expect(one.body.data.every((template: { category: string }) => template.category === "Leadership")).toBe(true);
    expect(one.body.data.length).toBeGreaterThan(0);
  });
});
