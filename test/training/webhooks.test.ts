import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signInMobile } from "../support/sign-in.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { type FakeVendor, startFakeVendor } from "./support/fake-vendor.ts";
import {
  bearer,
  connectGarmin,
  connectStrava,
  GARMIN_CLIENT_ID,
  garminActivity,
  ingestEnv,
  postGarmin,
  postStrava,
  STRAVA_SUBSCRIPTION_ID,
  STRAVA_VERIFY_TOKEN,
  stored,
  stravaEvent,
} from "./support/ingest.ts";

describe("training webhooks: verification and intake", () => {
  let t: TestApp;
  let vendor: FakeVendor;
  let runner: { userId: string; accessToken: string };
  const athleteId = 134_815;
  const garminUser = "4aacafe82427c251df9c9592d0c06768";
  const garminToken = "8f57a6f1-26ba-4b05-a7cd-c6b525a4c7a2";

  beforeAll(async () => {
    vendor = await startFakeVendor();
    // No worker here: intake only (stored and enqueued, not processed).
    t = await createTestApp({ env: ingestEnv(vendor) });
    runner = await signInMobile(t, "webhook-runner@example.com");
    await connectStrava(t, vendor, runner.accessToken, athleteId);
    await connectGarmin(t, vendor, runner.accessToken, garminUser, garminToken);
  });
  afterAll(async () => {
    await t?.close();
    await vendor?.close();
  });

  describe("Strava subscription handshake", () => {
    const handshake = (query: Record<string, string>, path = "/webhooks/strava") => t.call("GET", `${path}?${new URLSearchParams(query)}`);

    it("echoes hub.challenge for the right verify token", async () => {
      const res = await handshake({
        "hub.mode": "subscribe",
        "hub.verify_token": STRAVA_VERIFY_TOKEN,
        "hub.challenge": "15f7d1a91c1f40f8a748fd134752feb3",
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ "hub.challenge": "15f7d1a91c1f40f8a748fd134752feb3" });
    });

    it("refuses a wrong verify token, another mode, or a missing challenge", async () => {
      const wrong = await handshake({ "hub.mode": "subscribe", "hub.verify_token": "not-the-token", "hub.challenge": "abc" });
      expect(wrong.status).toBe(403);
      expect(wrong.body.error.code).toBe("forbidden");
      expect(wrong.text).not.toContain("abc");
      const mode = await handshake({ "hub.mode": "unsubscribe", "hub.verify_token": STRAVA_VERIFY_TOKEN, "hub.challenge": "abc" });
      expect(mode.status).toBe(403);
      const missing = await handshake({ "hub.mode": "subscribe", "hub.verify_token": STRAVA_VERIFY_TOKEN });
      expect(missing.status).toBe(400);
    });
  });

  describe("Strava events", () => {
    it("stores and enqueues a verified event once; a redelivery is a no-op", async () => {
      const before = await stored(t, "strava");
      const event = stravaEvent({ object_id: 7_001, event_time: 1_773_124_201 });
      const first = await postStrava(t, event);
      expect(first.status, first.text).toBe(200);
      expect(first.body).toMatchObject({ duplicate: false, eventId: expect.stringMatching(/^whe_/) });
      const again = await postStrava(t, event);
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ eventId: first.body.eventId, duplicate: true });
      const after = await stored(t, "strava");
      expect(after.events - before.events).toBe(1);
      expect(after.jobs - before.jobs).toBe(1);
      // Stored byte for byte.
      const [row] = await t.services.db.query<{ body: Uint8Array; org_id: string | null; external_id: string }>(
        "SELECT body, org_id, external_id FROM backplane.webhook_events WHERE id = $1",
        [first.body.eventId],
      );
      expect(Buffer.from(row!.body).toString()).toBe(JSON.stringify(event));
      expect(row!.external_id).toBe(`${athleteId}:activity:7001:create:1773124201`);
    });

    it("two athletes' events with the same object id and time are two events (the key is scoped to owner_id)", async () => {
      const other = await signInMobile(t, "webhook-second-athlete@example.com");
      await connectStrava(t, vendor, other.accessToken, 777_002);
      const before = await stored(t, "strava");
      const mine = await postStrava(t, stravaEvent({ object_id: 7_500, event_time: 1_773_124_500 }));
      const theirs = await postStrava(t, stravaEvent({ owner_id: 777_002, object_id: 7_500, event_time: 1_773_124_500 }));
      expect(mine.body.duplicate).toBe(false);
      expect(theirs.body.duplicate).toBe(false);
      expect(theirs.body.eventId).not.toBe(mine.body.eventId);
      expect((await stored(t, "strava")).events - before.events).toBe(2);
    });

    it("refuses another subscription, an unknown athlete, bad JSON and bad shapes, storing nothing", async () => {
      const before = await stored(t, "strava");
      const cases: [unknown, number, string][] = [
        [stravaEvent({ subscription_id: STRAVA_SUBSCRIPTION_ID + 1 }), 403, "forbidden"],
        [stravaEvent({ owner_id: 999_999 }), 403, "forbidden"],
        ["{not json", 400, "invalid_json"],
        [{ ...stravaEvent(), object_type: "route" }, 400, "validation_failed"],
        [{ ...stravaEvent(), object_id: "7001" }, 400, "validation_failed"],
      ];
      for (const [body, status, code] of cases) {
        const res = await postStrava(t, body);
        expect(res.status, res.text).toBe(status);
        expect(res.body.error.code).toBe(code);
      }
      expect(await stored(t, "strava")).toEqual(before);
    });

    it("a disconnected athlete's events are refused", async () => {
      const other = await signInMobile(t, "webhook-leaver@example.com");
      await connectStrava(t, vendor, other.accessToken, 555_001);
      expect((await postStrava(t, stravaEvent({ owner_id: 555_001, object_id: 1 }))).status).toBe(200);
      const gone = await t.call("DELETE", "/api/training/providers/strava", { headers: bearer(other.accessToken) });
      expect(gone.status).toBe(204);
      const res = await postStrava(t, stravaEvent({ owner_id: 555_001, object_id: 2 }));
      expect(res.status).toBe(403);
    });
  });

  describe("Garmin push and ping", () => {
    it("stores each verified summary once, by summaryId", async () => {
      const before = await stored(t, "garmin");
      const payload = { activities: [garminActivity(garminUser, garminToken, { summaryId: "s-1", activityId: 11 })] };
      const first = await postGarmin(t, "activities", payload);
      expect(first.status, first.text).toBe(200);
      expect(first.body).toEqual({ accepted: 1, duplicates: 0, rejected: 0, ignored: 0 });
      const again = await postGarmin(t, "activities", payload);
      expect(again.body).toEqual({ accepted: 0, duplicates: 1, rejected: 0, ignored: 0 });
      // A later delivery with one new and one known summary: only the new one is stored.
      const mixed = await postGarmin(t, "activities", {
        activities: [payload.activities[0], garminActivity(garminUser, garminToken, { summaryId: "s-2", activityId: 12 })],
        epochs: [{ userId: garminUser, summaryId: "e-1" }],
      });
      expect(mixed.body).toEqual({ accepted: 1, duplicates: 1, rejected: 0, ignored: 1 });
      const after = await stored(t, "garmin");
      expect(after.events - before.events).toBe(2);
      expect(after.jobs - before.jobs).toBe(2);
    });

    it("two Garmin users' summaries with the same summaryId are both stored (the key is scoped to the Garmin user)", async () => {
      const other = await signInMobile(t, "webhook-second-garmin@example.com");
      await connectGarmin(t, vendor, other.accessToken, "garmin-second-user", "garmin-second-token");
      const before = await stored(t, "garmin");
      const mine = await postGarmin(t, "activities", {
        activities: [garminActivity(garminUser, garminToken, { summaryId: "shared-1", activityId: 31 })],
      });
      const theirs = await postGarmin(t, "activities", {
        activities: [garminActivity("garmin-second-user", "garmin-second-token", { summaryId: "shared-1", activityId: 31 })],
      });
      expect(mine.body).toMatchObject({ accepted: 1, duplicates: 0 });
      expect(theirs.body).toMatchObject({ accepted: 1, duplicates: 0 });
      expect((await stored(t, "garmin")).events - before.events).toBe(2);
    });

    it("refuses a wrong consumer key, a wrong token, an unknown user or a foreign callback, storing nothing", async () => {
      const before = await stored(t, "garmin");
      const push = { activities: [garminActivity(garminUser, garminToken, { summaryId: "s-refused" })] };
      const noKey = await t.call("POST", "/webhooks/garmin/activities", { body: push });
      expect(noKey.status).toBe(401);
      const badKey = await postGarmin(t, "activities", push, { "garmin-client-id": `${GARMIN_CLIENT_ID}x` });
      expect(badKey.status).toBe(401);
      const badToken = await postGarmin(t, "activities", {
        activities: [garminActivity(garminUser, "someone-elses-token", { summaryId: "s-x" })],
      });
      expect(badToken.status).toBe(403);
      const noToken = await postGarmin(t, "activities", {
        activities: [{ ...garminActivity(garminUser, garminToken), userAccessToken: undefined, summaryId: "s-y" }],
      });
      expect(noToken.status).toBe(403);
      const unknown = await postGarmin(t, "activities", {
        activities: [garminActivity("unknown-garmin-user", garminToken, { summaryId: "s-z" })],
      });
      expect(unknown.status).toBe(403);
      const foreignPing = await postGarmin(t, "activities", {
        activities: [{ userId: garminUser, callbackURL: "https://attacker.example/wellness-api/rest/activities?token=x" }],
      });
      expect(foreignPing.status).toBe(403);
      // A ping on Garmin's own origin still has to prove the user: no token, or another one, is refused.
      const onGarmin = `${vendor.url}/wellness-api/rest/activities?uploadStartTimeInSeconds=1&uploadEndTimeInSeconds=2&token=p`;
      const tokenlessPing = await postGarmin(t, "activities", { activities: [{ userId: garminUser, callbackURL: onGarmin }] });
      expect(tokenlessPing.status).toBe(403);
      const wrongTokenPing = await postGarmin(t, "activities", {
        activities: [{ userId: garminUser, userAccessToken: "someone-elses-token", callbackURL: onGarmin }],
      });
      expect(wrongTokenPing.status).toBe(403);
      const wrongList = await postGarmin(t, "dailies", push);
      expect(wrongList.status).toBe(400);
      expect((await postGarmin(t, "activities", "[1,2]")).status).toBe(400);
      expect(await stored(t, "garmin")).toEqual(before);
    });

    it("a deregistration must carry the mapped userAccessToken", async () => {
      const before = await stored(t, "garmin");
      const bare = await postGarmin(t, "activities", { deregistrations: [{ userId: garminUser }] });
      expect(bare.status).toBe(403);
      const wrong = await postGarmin(t, "activities", { deregistrations: [{ userId: garminUser, userAccessToken: "not-the-token" }] });
      expect(wrong.status).toBe(403);
      expect(await stored(t, "garmin")).toEqual(before);
      const proper = await postGarmin(t, "dailies", { deregistrations: [{ userId: garminUser, userAccessToken: garminToken }] });
      expect(proper.status, proper.text).toBe(200);
      expect(proper.body.accepted).toBe(1);
    });

    it("with GARMIN_WEBHOOK_SECRET set, the shared-secret header is required too", async () => {
      const secretApp = await createTestApp({ env: ingestEnv(vendor, { GARMIN_WEBHOOK_SECRET: "garmin-gateway-shared-secret" }) });
      try {
        const user = await signInMobile(secretApp, "garmin-secret@example.com");
        await connectGarmin(secretApp, vendor, user.accessToken, "garmin-secret-user", "token-abcdefgh");
        const payload = {
          dailies: [{ userId: "garmin-secret-user", userAccessToken: "token-abcdefgh", summaryId: "d-1", calendarDate: "2026-03-10" }],
        };
        expect((await postGarmin(secretApp, "dailies", payload)).status).toBe(401);
        expect((await postGarmin(secretApp, "dailies", payload, { "x-webhook-secret": "wrong-secret-value-000" })).status).toBe(401);
        const ok = await postGarmin(secretApp, "dailies", payload, { "x-webhook-secret": "garmin-gateway-shared-secret" });
        expect(ok.status, ok.text).toBe(200);
        expect(ok.body.accepted).toBe(1);
      } finally {
        await secretApp.close();
      }
    });
  });

  it("with STRAVA_WEBHOOK_PATH_SECRET set, only the secret path answers (and the log never shows it)", async () => {
    const secret = "strava-path-secret-0123456789";
    const secretApp = await createTestApp({ env: ingestEnv(vendor, { STRAVA_WEBHOOK_PATH_SECRET: secret }) });
    try {
      const query = new URLSearchParams({ "hub.mode": "subscribe", "hub.verify_token": STRAVA_VERIFY_TOKEN, "hub.challenge": "c1" });
      expect((await secretApp.call("GET", `/webhooks/strava?${query}`)).status).toBe(404);
      expect((await secretApp.call("GET", `/webhooks/strava/wrong-secret-0000000000?${query}`)).status).toBe(404);
      const ok = await secretApp.call("GET", `/webhooks/strava/${secret}?${query}`);
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({ "hub.challenge": "c1" });
      expect((await postStrava(secretApp, stravaEvent())).status).toBe(404);
      // Nobody connected here: verified path, then refused as an unknown athlete.
      expect((await postStrava(secretApp, stravaEvent(), `/webhooks/strava/${secret}`)).status).toBe(403);
      expect(secretApp.logs.join("\n")).not.toContain(secret);
    } finally {
      await secretApp.close();
    }
  });

  it("webhooks answer 404 where the provider is not configured", async () => {
    const bare = await createTestApp();
    try {
      const query = new URLSearchParams({ "hub.mode": "subscribe", "hub.verify_token": "x", "hub.challenge": "c" });
      expect((await bare.call("GET", `/webhooks/strava?${query}`)).status).toBe(404);
      expect((await postStrava(bare, stravaEvent())).status).toBe(404);
      expect((await postGarmin(bare, "activities", { activities: [] })).status).toBe(404);
    } finally {
      await bare.close();
    }
  });
});
