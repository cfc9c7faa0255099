import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { communityModule } from "../../src/modules/community/module.ts";
import { describeUserAuthChecks } from "../support/auth-checks.ts";
import { signInUser } from "../support/sign-in.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

let t: TestApp;

beforeAll(async () => {
  // Many sign-ins from one (socket-less) client: the limits have their own tests.
  t = await createTestApp({ env: { LOG_LEVEL: "info", RATE_LIMITS_ENABLED: "false" }, modules: [communityModule] });
});
afterAll(async () => {
  await t.close();
});

let counter = 0;
const fresh = () => signInUser(t, `drafts-${++counter}@example.test`);

describe("GET/PUT /api/drafts/me", () => {
  it("starts empty, saves, loads; PUT replaces the whole draft and moves updatedAt", async () => {
    const user = await fresh();
    const empty = await t.call("GET", "/api/drafts/me", { headers: user.headers });
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ payload: null, updatedAt: null });
    const payload = { step: "values", values: ["care", "openness"], nested: { a: [1, 2, { b: null }] } };
    const saved = await t.call("PUT", "/api/drafts/me", { body: { payload }, headers: user.headers });
    expect(saved.status, saved.text).toBe(200);
    expect(saved.body.payload).toEqual(payload);
    const loaded = await t.call("GET", "/api/drafts/me", { headers: user.headers });
    expect(loaded.body).toEqual(saved.body);
    const again = await t.call("PUT", "/api/drafts/me", { body: { payload: { step: "review" } }, headers: user.headers });
    expect(again.body.payload).toEqual({ step: "review" });
    expect(Date.parse(again.body.updatedAt)).toBeGreaterThan(Date.parse(saved.body.updatedAt));
  });

  it("user A never sees or changes user B's draft (and RLS hides B's row from A's context)", async () => {
    const a = await fresh();
    const b = await fresh();
    await t.call("PUT", "/api/drafts/me", { body: { payload: { owner: "b" } }, headers: b.headers });
    expect((await t.call("GET", "/api/drafts/me", { headers: a.headers })).body.payload).toBeNull();
    await t.call("PUT", "/api/drafts/me", { body: { payload: { owner: "a" } }, headers: a.headers });
    expect((await t.call("GET", "/api/drafts/me", { headers: b.headers })).body.payload).toEqual({ owner: "b" });
    const { withTenant } = await import("../../src/platform/tenancy/with-tenant.ts");
    const visible = await withTenant(t.services.db, { orgId: null, userId: a.userId, principal: "test" }, (tx) =>
      tx.query<{ user_id: string }>("SELECT user_id FROM community.drafts"),
    );
    expect(visible).toEqual([{ user_id: a.userId }]);
  });

  it("caps a draft at 256 KB (413) and refuses malformed bodies (400), changing nothing", async () => {
    const user = await fresh();
    await t.call("PUT", "/api/drafts/me", { body: { payload: { keep: true } }, headers: user.headers });
    const big = await t.call("PUT", "/api/drafts/me", { body: { payload: { blob: "x".repeat(256 * 1024) } }, headers: user.headers });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe("payload_too_large");
    for (const body of [{}, { payload: "text" }, { payload: [1, 2] }, { payload: null }]) {
      const res = await t.call("PUT", "/api/drafts/me", { body, headers: user.headers });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await t.call("PUT", "/api/drafts/me", { body: "{oops", headers: user.headers })).body.error.code).toBe("invalid_json");
    expect((await t.call("GET", "/api/drafts/me", { headers: user.headers })).body.payload).toEqual({ keep: true });
  });

  describe("GET security", () => {
    describeUserAuthChecks({ app: () => t, request: () => ({ method: "GET", path: "/api/drafts/me" }) });
  });
  describe("PUT security", () => {
    describeUserAuthChecks({ app: () => t, request: () => ({ method: "PUT", path: "/api/drafts/me", body: { payload: { x: 1 } } }) });
  });
});
