import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import type { TestApp } from "../../support/test-app.ts";
import { type FakeVendor, STRAVA_TEST_CLIENT } from "./fake-vendor.ts";

export const STRAVA_VERIFY_TOKEN = "verify-token-for-tests-0123";
export const STRAVA_SUBSCRIPTION_ID = 120475;
export const GARMIN_CLIENT_ID = "garmin-consumer-key-for-tests";

/** Provider settings pointing at the fake vendor. */
export function ingestEnv(vendor: FakeVendor, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...vendor.env,
    ...STRAVA_TEST_CLIENT,
    STRAVA_REDIRECT_URI: "http://127.0.0.1:3000/api/training/providers/strava/callback",
    STRAVA_VERIFY_TOKEN,
    STRAVA_SUBSCRIPTION_ID: String(STRAVA_SUBSCRIPTION_ID),
    GARMIN_CLIENT_ID,
    RATE_LIMITS_ENABLED: "false",
    ...extra,
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The real OAuth flow: /connect gives the consent URL; the vendor's redirect comes back to /callback with a code. */
export async function connectStrava(t: TestApp, vendor: FakeVendor, accessToken: string, athleteId: number) {
  const connect = await t.call("GET", "/api/training/providers/strava/connect", { headers: bearer(accessToken) });
  expect(connect.status, connect.text).toBe(200);
  const authorize = new URL(connect.body.authorizeUrl);
  expect(authorize.origin + authorize.pathname).toBe(`${vendor.url}/oauth/authorize`);
  const code = randomBytes(12).toString("hex");
  vendor.codes.set(code, athleteId);
  const state = authorize.searchParams.get("state") ?? "";
  const callback = await t.call(
    "GET",
    `/api/training/providers/strava/callback?${new URLSearchParams({ state, code, scope: "read,activity:read_all" })}`,
  );
  expect(callback.status, callback.text).toBe(200);
  return callback.body;
}

/** Maps a Garmin account; the fake Garmin vouches for the token (its user-id endpoint names `garminUserId`). */
export async function connectGarmin(t: TestApp, vendor: FakeVendor, accessToken: string, garminUserId: string, userAccessToken: string) {
  vendor.garminUsers.set(userAccessToken, garminUserId);
  const res = await t.call("PUT", "/api/training/providers/garmin", {
    headers: bearer(accessToken),
    body: { userId: garminUserId, userAccessToken },
  });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

export function stravaEvent(overrides: Record<string, unknown> = {}) {
  return {
    aspect_type: "create",
    event_time: 1_773_124_200,
    object_id: 9_001,
    object_type: "activity",
    owner_id: 134_815,
    subscription_id: STRAVA_SUBSCRIPTION_ID,
    updates: {},
    ...overrides,
  };
}

export const postStrava = (t: TestApp, body: unknown, path = "/webhooks/strava") =>
  t.call("POST", path, { body: typeof body === "string" ? body : JSON.stringify(body) });

export const postGarmin = (t: TestApp, endpoint: "activities" | "dailies", body: unknown, headers: Record<string, string> = {}) =>
  t.call("POST", `/webhooks/garmin/${endpoint}`, {
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers: { "garmin-client-id": GARMIN_CLIENT_ID, ...headers },
  });

export function garminActivity(userId: string, userAccessToken: string, overrides: Record<string, unknown> = {}) {
  return {
    userId,
    userAccessToken,
    summaryId: "5001968355",
    activityId: 5001968355,
    activityName: "Lunch Run",
    activityType: "RUNNING",
    startTimeInSeconds: 1_773_140_400,
    startTimeOffsetInSeconds: 3600,
    durationInSeconds: 2_700,
    distanceInMeters: 8_030.5,
    averageSpeedInMetersPerSecond: 2.97,
    averageHeartRateInBeatsPerMinute: 146,
    maxHeartRateInBeatsPerMinute: 171,
    activeKilocalories: 540,
    deviceName: "forerunner965",
    ...overrides,
  };
}

export const count = async (t: TestApp, sql: string, params: unknown[] = []) =>
  ((await t.services.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${sql}) AS q`, params))[0] as { n: number }).n;

/** Rows the intake stored and jobs it enqueued, of one source. */
export const stored = async (t: TestApp, source: string) => ({
  events: await count(t, "SELECT 1 FROM backplane.webhook_events WHERE source = $1", [source]),
  jobs: await count(t, "SELECT 1 FROM pgboss.job WHERE data->>'job' = 'training.activity-processing'"),
});
