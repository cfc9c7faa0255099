import { afterEach, describe, expect, it } from "vitest";
import { withTenant } from "../../src/platform/tenancy/with-tenant.ts";
import { queuedSignInCode, signInMobile, signInUser } from "../support/sign-in.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

let t: TestApp | null = null;

afterEach(async () => {
  await t?.close();
  t = null;
});

async function setup(): Promise<TestApp> {
  t = await createTestApp({ env: { LOG_LEVEL: "info", RATE_LIMITS_ENABLED: "false" }, modules: [] });
  return t;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const refresh = (app: TestApp, refreshToken: string) => app.call("POST", "/api/auth/token/refresh", { body: { refreshToken } });

describe("mobile tokens", () => {
  it("POST /api/auth/token gives a 15-minute JWT that works as Bearer, and an opaque refresh token", async () => {
    const app = await setup();
    await app.call("POST", "/api/auth/otp/request", { body: { email: "mobile@example.test" } });
    const code = await queuedSignInCode(app, "mobile@example.test");
    const res = await app.call("POST", "/api/auth/token", { body: { email: "mobile@example.test", code } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ expiresIn: 900, tokenType: "Bearer", user: { email: "mobile@example.test" } });
    expect(res.body.accessToken.split(".")).toHaveLength(3);
    expect(res.body.refreshToken).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const session = await app.call("GET", "/api/auth/session", { headers: bearer(res.body.accessToken) });
    expect(session.body.user.email).toBe("mobile@example.test");
  });

  it("refresh rotates: the new pair works, the old refresh token is spent", async () => {
    const app = await setup();
    const first = await signInMobile(app, "rotate@example.test");
    const second = await refresh(app, first.refreshToken);
    expect(second.status, second.text).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    expect((await app.call("GET", "/api/auth/session", { headers: bearer(second.body.accessToken) })).body.user.id).toBe(first.userId);
    const third = await refresh(app, second.body.refreshToken);
    expect(third.status).toBe(200);
  });

  it("presenting an already-rotated refresh token revokes the whole family (every token and the access tokens)", async () => {
    const app = await setup();
    const first = await signInMobile(app, "stolen@example.test");
    const second = await refresh(app, first.refreshToken);
    expect(second.status).toBe(200);
    const replay = await refresh(app, first.refreshToken);
    expect(replay.status).toBe(401);
    expect(replay.body.details).toEqual({ reason: "reused" });
    // The legitimate holder's newer tokens are dead too.
    const next = await refresh(app, second.body.refreshToken);
    expect(next.status).toBe(401);
    expect(next.body.details).toEqual({ reason: "revoked" });
    expect((await app.call("GET", "/api/auth/session", { headers: bearer(second.body.accessToken) })).body.user).toBeNull();
    const audit = await app.services.db.query<{ action: string }>(
      "SELECT action FROM backplane.audit_events WHERE actor_id = $1 ORDER BY seq",
      [first.userId],
    );
    expect(audit.map((row) => row.action)).toContain("session.revoked");
    // Another device of the same user is untouched.
    const other = await signInMobile(app, "stolen@example.test");
    expect((await refresh(app, other.refreshToken)).status).toBe(200);
  });

  it("an access token expires after 15 minutes; a forged or foreign one is refused", async () => {
    const app = await setup();
    const mobile = await signInMobile(app, "expiry@example.test");
    const start = Date.now();
    app.services.clock = () => new Date(start + 14 * 60_000);
    expect((await app.call("GET", "/api/auth/session", { headers: bearer(mobile.accessToken) })).body.user).not.toBeNull();
    app.services.clock = () => new Date(start + 15 * 60_000 + 1000);
    expect((await app.call("GET", "/api/auth/session", { headers: bearer(mobile.accessToken) })).body.user).toBeNull();
    app.services.clock = undefined;
    const [header, payload, signature] = mobile.accessToken.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: "usr_someoneelse" })).toString("base64url")}.${signature}`;
    expect((await app.call("GET", "/api/auth/session", { headers: bearer(forged) })).body.user).toBeNull();
    const none = `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${payload}.`;
    expect((await app.call("GET", "/api/auth/session", { headers: bearer(none) })).body.user).toBeNull();
  });

  it("logout with the bearer token ends the mobile session: access and refresh tokens stop", async () => {
    const app = await setup();
    const mobile = await signInMobile(app, "bye@example.test");
    const out = await app.call("POST", "/api/auth/logout", { headers: bearer(mobile.accessToken) });
    expect(out.body).toEqual({ ok: true, endedSessions: 1 });
    expect((await app.call("GET", "/api/auth/session", { headers: bearer(mobile.accessToken) })).body.user).toBeNull();
    expect((await refresh(app, mobile.refreshToken)).status).toBe(401);
  });

  it("malformed and unknown refresh tokens: 400 and 401", async () => {
    const app = await setup();
    expect((await app.call("POST", "/api/auth/token/refresh", { body: {} })).status).toBe(400);
    expect((await app.call("POST", "/api/auth/token/refresh", { body: { refreshToken: "x".repeat(500) } })).status).toBe(400);
    const unknown = await refresh(app, `rt_${"A".repeat(43)}`);
    expect(unknown.status).toBe(401);
    expect(unknown.body.details).toEqual({ reason: "unknown" });
    expect((await app.call("POST", "/api/auth/token", { body: { email: "x@example.test", code: "000000" } })).body.error.code).toBe(
      "otp_invalid",
    );
  });

  it("row-level security: in a user's tenant context only that user's user row and sessions are visible", async () => {
    const app = await setup();
    const a = await signInUser(app, "rls-a@example.test");
    const b = await signInUser(app, "rls-b@example.test");
    const seen = await withTenant(app.services.db, { orgId: null, userId: a.userId, principal: `user:${a.userId}` }, async (tx) => ({
      users: await tx.query<{ id: string }>("SELECT id FROM backplane.users WHERE id IN ($1, $2)", [a.userId, b.userId]),
      sessions: await tx.query<{ user_id: string }>("SELECT user_id FROM backplane.sessions"),
    }));
    expect(seen.users).toEqual([{ id: a.userId }]);
    expect(seen.sessions.every((row) => row.user_id === a.userId)).toBe(true);
    expect(seen.sessions.length).toBe(1);
    const none = await withTenant(app.services.db, { orgId: null, userId: null, principal: "test" }, (tx) =>
      tx.query("SELECT id FROM backplane.users"),
    );
    expect(none).toEqual([]);
    await expect(
      withTenant(app.services.db, { orgId: null, userId: a.userId, principal: "test" }, (tx) =>
        tx.query("SELECT id FROM backplane.otp_challenges"),
      ),
    ).rejects.toThrow(/permission denied/);
  });
});
