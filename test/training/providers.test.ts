import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signInMobile } from "../support/sign-in.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { type FakeVendor, startFakeVendor } from "./support/fake-vendor.ts";
import { bearer, connectGarmin, connectStrava, ingestEnv } from "./support/ingest.ts";
import { mobileUser, startTrainingApp, type TrainingHarness, trpcClient, trpcFailure } from "./support.ts";

describe("provider connections and push devices", () => {
  let t: TestApp;
  let vendor: FakeVendor;

  beforeAll(async () => {
    vendor = await startFakeVendor();
    t = await createTestApp({ env: ingestEnv(vendor) });
  });
  afterAll(async () => {
    await t?.close();
    await vendor?.close();
  });

  const routes: [string, string, unknown?][] = [
    ["GET", "/api/training/providers"],
    ["GET", "/api/training/providers/strava/connect"],
    ["PUT", "/api/training/providers/garmin", { userId: "g", userAccessToken: "token-123456" }],
    ["DELETE", "/api/training/providers/strava"],
    ["PUT", "/api/training/push-devices", { expoPushToken: "ExponentPushToken[xxxxxxxxxxxxxxxxxxxx]" }],
    ["DELETE", `/api/training/push-devices/${encodeURIComponent("ExponentPushToken[xxxxxxxxxxxxxxxxxxxx]")}`],
  ];

  it("every user route refuses missing and invalid credentials (401), before reading input", async () => {
    const forged = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c3JfeCIsInNpZCI6InNlc3NfeCJ9.c2lnbmF0dXJl";
    for (const [method, path, body] of routes) {
      const none = await t.call(method, path, { body });
      expect(none.status, `${method} ${path}`).toBe(401);
      expect(none.body.error.code).toBe("unauthorized");
      const bad = await t.call(method, path, { body, headers: bearer(forged) });
      expect(bad.status, `${method} ${path} forged`).toBe(401);
    }
  });

  it("Strava OAuth: the connect URL carries a signed state; a forged, altered or expired state connects nobody", async () => {
    const user = await signInMobile(t, "oauth-runner@example.com");
    const connect = await t.call("GET", "/api/training/providers/strava/connect", { headers: bearer(user.accessToken) });
    const url = new URL(connect.body.authorizeUrl);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: "12345",
      response_type: "code",
      scope: "read,activity:read_all",
      redirect_uri: "http://127.0.0.1:3000/api/training/providers/strava/callback",
    });
    const state = url.searchParams.get("state") ?? "";
    vendor.codes.set("code-for-forgery", 1);
    const callback = (query: Record<string, string>) =>
      t.call("GET", `/api/training/providers/strava/callback?${new URLSearchParams(query)}`);
    const altered = `${state.slice(0, 10)}${state[10] === "A" ? "B" : "A"}${state.slice(11)}`;
    expect((await callback({ state: altered, code: "code-for-forgery" })).status).toBe(401);
    expect((await callback({ state: "eyJ1IjoidXNyX3gifQ.bm9wZQ", code: "code-for-forgery" })).status).toBe(401);
    const later = await createTestApp({ env: ingestEnv(vendor) });
    try {
      later.services.clock = () => new Date(Date.now() + 11 * 60 * 1000);
      const expired = await later.call(
        "GET",
        `/api/training/providers/strava/callback?${new URLSearchParams({ state, code: "code-for-forgery" })}`,
      );
      expect(expired.status).toBe(401);
    } finally {
      await later.close();
    }
    const declined = await callback({ state, error: "access_denied" });
    expect(declined.status).toBe(400);
    const badCode = await callback({ state, code: "never-issued" });
    expect(badCode.status).toBe(400);
    expect(await t.services.db.query("SELECT 1 FROM training.provider_connections WHERE user_id = $1", [user.userId])).toHaveLength(0);
  });

  it("one Strava athlete links to one user; reconnecting replaces the tokens; disconnect drops them (audited)", async () => {
    const a = await signInMobile(t, "athlete-owner@example.com");
    const b = await signInMobile(t, "athlete-thief@example.com");
    const first = await connectStrava(t, vendor, a.accessToken, 606_060);
    expect(first).toMatchObject({ provider: "strava", externalUserId: "606060", status: "active", scope: "read,activity:read_all" });
    const [sealed] = await t.services.db.query<{ access_token: string }>(
      "SELECT access_token FROM training.provider_connections WHERE user_id = $1 AND provider = 'strava'",
      [a.userId],
    );
    // B cannot take A's athlete.
    const connect = await t.call("GET", "/api/training/providers/strava/connect", { headers: bearer(b.accessToken) });
    vendor.codes.set("code-b", 606_060);
    const state = new URL(connect.body.authorizeUrl).searchParams.get("state") ?? "";
    const taken = await t.call("GET", `/api/training/providers/strava/callback?${new URLSearchParams({ state, code: "code-b" })}`);
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe("conflict");
    const garmin = { userId: "garmin-held-by-a", userAccessToken: "garmin-token-aaaa" };
    vendor.garminUsers.set(garmin.userAccessToken, garmin.userId);
    expect((await t.call("PUT", "/api/training/providers/garmin", { headers: bearer(a.accessToken), body: garmin })).status).toBe(200);
    expect((await t.call("PUT", "/api/training/providers/garmin", { headers: bearer(b.accessToken), body: garmin })).status).toBe(409);
    // A reconnecting: same row, new sealed tokens.
    await connectStrava(t, vendor, a.accessToken, 606_060);
    const [resealed] = await t.services.db.query<{ access_token: string }>(
      "SELECT access_token FROM training.provider_connections WHERE user_id = $1 AND provider = 'strava'",
      [a.userId],
    );
    expect(resealed?.access_token).not.toBe(sealed?.access_token);
    expect((await t.call("DELETE", "/api/training/providers/strava", { headers: bearer(a.accessToken) })).status).toBe(204);
    const [gone] = await t.services.db.query<{ status: string; access_token: string | null }>(
      "SELECT status, access_token FROM training.provider_connections WHERE user_id = $1 AND provider = 'strava'",
      [a.userId],
    );
    expect(gone).toEqual({ status: "revoked", access_token: null });
    const audits = await t.services.db.query<{ action: string }>(
      "SELECT action FROM backplane.audit_events WHERE actor_id = $1 ORDER BY seq",
      [a.userId],
    );
    expect(audits.map((row) => row.action)).toEqual(
      expect.arrayContaining(["training.provider_connected", "training.provider_connected", "training.provider_disconnected"]),
    );
  });

  it("Garmin mapping: saved only when Garmin's user-id endpoint names the claimed userId for that token", async () => {
    const victim = await signInMobile(t, "garmin-victim@example.com");
    const thief = await signInMobile(t, "garmin-thief@example.com");
    await connectGarmin(t, vendor, victim.accessToken, "garmin-victim-id", "garmin-victim-token");
    const rows = () =>
      t.services.db.query<{ user_id: string }>("SELECT user_id FROM training.provider_connections WHERE external_user_id = $1", [
        "garmin-thief-id",
      ]);
    // The thief's own valid token, naming the victim's userId: refused.
    vendor.garminUsers.set("garmin-thief-token", "garmin-thief-id");
    const claim = await t.call("PUT", "/api/training/providers/garmin", {
      headers: bearer(thief.accessToken),
      body: { userId: "garmin-thief-id-not", userAccessToken: "garmin-thief-token" },
    });
    expect(claim.status, claim.text).toBe(403);
    expect(claim.body.error.code).toBe("forbidden");
    // A token Garmin does not know: refused.
    const unknown = await t.call("PUT", "/api/training/providers/garmin", {
      headers: bearer(thief.accessToken),
      body: { userId: "garmin-thief-id", userAccessToken: "never-issued-token" },
    });
    expect(unknown.status).toBe(403);
    expect(await rows()).toEqual([]);
    // The victim's userId with a made-up token: refused, the victim's mapping untouched.
    const stolen = await t.call("PUT", "/api/training/providers/garmin", {
      headers: bearer(thief.accessToken),
      body: { userId: "garmin-victim-id", userAccessToken: "garmin-thief-token" },
    });
    expect(stolen.status).toBe(403);
    const [held] = await t.services.db.query<{ user_id: string }>(
      "SELECT user_id FROM training.provider_connections WHERE external_user_id = 'garmin-victim-id' AND status = 'active'",
    );
    expect(held?.user_id).toBe(victim.userId);
    // The thief's own account, proven: accepted.
    const own = await t.call("PUT", "/api/training/providers/garmin", {
      headers: bearer(thief.accessToken),
      body: { userId: "garmin-thief-id", userAccessToken: "garmin-thief-token" },
    });
    expect(own.status, own.text).toBe(200);
  });

  it("push devices: a token registered by another user moves to them (a phone signed in as B no longer gets A's notifications)", async () => {
    const a = await signInMobile(t, "phone-owner-a@example.com");
    const b = await signInMobile(t, "phone-owner-b@example.com");
    const token = "ExponentPushToken[sharedphone0123456789]";
    const holders = async () =>
      (await t.services.db.query<{ user_id: string }>("SELECT user_id FROM training.push_devices WHERE expo_push_token = $1", [token])).map(
        (row) => row.user_id,
      );
    const register = (who: { accessToken: string }) =>
      t.call("PUT", "/api/training/push-devices", { headers: bearer(who.accessToken), body: { expoPushToken: token } });
    expect((await register(a)).status).toBe(204);
    expect(await holders()).toEqual([a.userId]);
    expect((await register(b)).status).toBe(204);
    expect(await holders()).toEqual([b.userId]);
    // A removing it does not take it from B.
    await t.call("DELETE", `/api/training/push-devices/${encodeURIComponent(token)}`, { headers: bearer(a.accessToken) });
    expect(await holders()).toEqual([b.userId]);
    expect((await register(a)).status).toBe(204);
    expect(await holders()).toEqual([a.userId]);
  });

  it("push devices: registered once, refused when not an Expo token, removed", async () => {
    const user = await signInMobile(t, "pusher@example.com");
    const token = "ExponentPushToken[abcdefghijklmnop123456]";
    for (let i = 0; i < 2; i++) {
      expect(
        (await t.call("PUT", "/api/training/push-devices", { headers: bearer(user.accessToken), body: { expoPushToken: token } })).status,
      ).toBe(204);
    }
    expect(
      (await t.call("PUT", "/api/training/push-devices", { headers: bearer(user.accessToken), body: { expoPushToken: "apns-token" } }))
        .status,
    ).toBe(400);
    expect(await t.services.db.query("SELECT 1 FROM training.push_devices WHERE user_id = $1", [user.userId])).toHaveLength(1);
    const removed = await t.call("DELETE", `/api/training/push-devices/${encodeURIComponent(token)}`, {
      headers: bearer(user.accessToken),
    });
    expect(removed.status).toBe(204);
    expect(await t.services.db.query("SELECT 1 FROM training.push_devices WHERE user_id = $1", [user.userId])).toHaveLength(0);
  });
});

describe("dashboard.getTodaySummary over tRPC", () => {
  let h: TrainingHarness;
  beforeAll(async () => {
    h = await startTrainingApp();
  });
  afterAll(async () => h?.close());

  it("refuses a caller without a valid access token (401) and a malformed date (400)", async () => {
    const anonymous = await trpcFailure(trpcClient(h.url, null).dashboard.getTodaySummary.query());
    expect(anonymous.data?.httpStatus).toBe(401);
    const forged = await trpcFailure(trpcClient(h.url, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln").dashboard.getTodaySummary.query());
    expect(forged.data?.httpStatus).toBe(401);
    const user = await mobileUser(h, "dash");
    const bad = await trpcFailure(user.trpc.dashboard.getTodaySummary.query({ date: "10/03/2026" }));
    expect(bad.data?.httpStatus).toBe(400);
    expect(bad.data?.platformCode).toBe("validation_failed");
  });

  it("a new user's day is empty; today follows the user's time zone", async () => {
    const user = await mobileUser(h, "dash-empty");
    await user.trpc.user.updateSettings.mutate({ timeZone: "Pacific/Kiritimati" });
    const summary = await user.trpc.dashboard.getTodaySummary.query();
    const kiritimati = new Intl.DateTimeFormat("en-CA", { timeZone: "Pacific/Kiritimati" }).format(new Date());
    expect(summary).toEqual({
      date: kiritimati,
      timeZone: "Pacific/Kiritimati",
      scheduledWorkout: null,
      readiness: null,
      lastActivity: null,
      load7d: 0,
      acuteLoad: 0,
      chronicLoad: 0,
      acwr: null,
      acwrFlag: false,
    });
  });
});
