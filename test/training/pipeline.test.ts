import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { banisterTrimp } from "../../src/modules/training/load/training-load.ts";
import { trainingModule } from "../../src/modules/training/module.ts";
import { activityProcessingJob } from "../../src/modules/training/pipeline/activity-processing-job.ts";
import { type RunningWorker, startWorker } from "../../src/platform/jobs/start-worker.ts";
import { asService } from "../../src/platform/tenancy/with-tenant.ts";
import { fastJobsEnv } from "../jobs/support/fast-env.ts";
import { waitFor } from "../jobs/support/wait-for.ts";
import { type FakeVendor, startFakeVendor, stravaActivity } from "./support/fake-vendor.ts";
import {
  bearer,
  connectGarmin,
  connectStrava,
  count,
  garminActivity,
  ingestEnv,
  postGarmin,
  postStrava,
  stravaEvent,
} from "./support/ingest.ts";
import { expoTickets, startReceiver } from "./support/receivers.ts";
import { type MobileUser, mobileUser, startTrainingApp, type TrainingHarness } from "./support.ts";

const WEBHOOK_SECRET = `whsec_${Buffer.from("training-notify-secret-0123456789").toString("base64")}`;

describe("activity pipeline: webhook → job → activity → analysis → notification", () => {
  let h: TrainingHarness;
  let vendor: FakeVendor;
  let worker: RunningWorker;
  let notifyReceiver: Awaited<ReturnType<typeof startReceiver>>;
  let expo: Awaited<ReturnType<typeof startReceiver>>;
  let runner: MobileUser;
  const athleteId = 134_815;

  beforeAll(async () => {
    vendor = await startFakeVendor();
    notifyReceiver = await startReceiver(() => ({ status: 200, body: { ok: true } }));
    expo = await startReceiver(expoTickets);
    h = await startTrainingApp(
      ingestEnv(vendor, {
        ...fastJobsEnv,
        TRAINING_NOTIFY_WEBHOOK_URL: `${notifyReceiver.url}/hooks/training`,
        TRAINING_NOTIFY_WEBHOOK_SECRET: WEBHOOK_SECRET,
        EXPO_PUSH_URL: expo.url,
      }),
    );
    worker = await startWorker(h.t.services, [trainingModule]);
    runner = await mobileUser(h, "pipeline");
    await runner.trpc.user.updateSettings.mutate({
      maxHr: 190,
      restingHr: 50,
      sex: "male",
      timeZone: "Europe/Paris",
      notificationsEnabled: true,
    });
    const device = await h.t.call("PUT", "/api/training/push-devices", {
      headers: bearer(runner.accessToken),
      body: { expoPushToken: "ExponentPushToken[pipelinexxxxxxxxxxxx]" },
    });
    expect(device.status).toBe(204);
    await connectStrava(h.t, vendor, runner.accessToken, athleteId);
  });
  afterAll(async () => {
    await worker?.stop(1);
    await h?.close();
    await vendor?.close();
    await notifyReceiver?.close();
    await expo?.close();
  });

  const db = () => h.t.services.db;
  const eventStatus = async (eventId: string) =>
    (
      await db().query<{ status: string; last_error: string | null }>(
        "SELECT status, last_error FROM backplane.webhook_events WHERE id = $1",
        [eventId],
      )
    )[0];
  const processed = (eventId: string, timeoutMs = 15_000) =>
    waitFor(`event ${eventId} processed`, async () => ((await eventStatus(eventId))?.status === "processed" ? true : null), timeoutMs);
  const activityRow = async (externalId: string) =>
    (
      await db().query<Record<string, unknown>>("SELECT * FROM training.activities WHERE source = 'strava' AND external_id = $1", [
        externalId,
      ])
    )[0];
  const fetchesOf = (id: number) => vendor.requests.filter((r) => r.method === "GET" && r.path.startsWith(`/api/v3/activities/${id}?`));

  it("a Strava run: fetched, normalized, loaded (TRIMP), saved, analysed, the workout completed, notified once", async () => {
    const [workout] = await asService(db(), "test", (tx) =>
      tx.query<{ id: string }>(
        "INSERT INTO training.scheduled_workouts (user_id, date, type, description, target_distance_meters, status) VALUES ($1, '2026-03-10', 'easy', 'Easy 10k', 10000, 'pending') RETURNING id",
        [runner.userId],
      ),
    );
    vendor.activities.set("9001", stravaActivity(9001, athleteId));
    const res = await postStrava(h.t, stravaEvent({ object_id: 9001 }));
    expect(res.status, res.text).toBe(200);
    await processed(res.body.eventId);

    const activity = await activityRow("9001");
    const expectedTrimp = banisterTrimp(3600, 150, { restingHr: 50, maxHr: 190, sex: "male" });
    expect(activity).toMatchObject({
      user_id: runner.userId,
      type: "run",
      duration_sec: 3600,
      distance_meters: 10_012.4,
      avg_hr: 150,
      max_hr: 178,
      trimp: expectedTrimp,
      training_load: expectedTrimp,
      load_method: "trimp",
    });
    expect(activity?.id).toMatch(/^[0-9A-Za-z]{16}$/);
    // Analysis of the activity's local day (Europe/Paris), on the day's daily_metrics row.
    const [day] = await db().query<{ acute_load: number; chronic_load: number; acwr: number; acwr_flag: boolean }>(
      "SELECT acute_load, chronic_load, acwr, acwr_flag FROM training.daily_metrics WHERE user_id = $1 AND date = '2026-03-10'",
      [runner.userId],
    );
    expect(day?.acute_load).toBeCloseTo(expectedTrimp! * 0.25, 1);
    expect(day?.acwr).toBeGreaterThan(1.5);
    expect(day?.acwr_flag).toBe(true);
    const [done] = await db().query<{ status: string; completed_activity_id: string }>(
      "SELECT status, completed_activity_id FROM training.scheduled_workouts WHERE id = $1",
      [workout!.id],
    );
    expect(done).toEqual({ status: "completed", completed_activity_id: activity?.id });

    // Notifications: the Standard Webhooks POST verifies with the shared secret; Expo got the push.
    const hook = await waitFor("the signed webhook", async () =>
      notifyReceiver.received.find((r) => r.body.includes(String(activity?.id))),
    );
    const verified = new Webhook(WEBHOOK_SECRET).verify(hook.body, {
      "webhook-id": String(hook.headers["webhook-id"]),
      "webhook-timestamp": String(hook.headers["webhook-timestamp"]),
      "webhook-signature": String(hook.headers["webhook-signature"]),
    }) as { type: string; data: Record<string, unknown> };
    expect(verified.type).toBe("activity.analyzed");
    expect(verified.data).toMatchObject({
      title: "New Run Analyzed",
      activityId: activity?.id,
      acwrFlagged: true,
      completedWorkoutId: workout!.id,
    });
    expect(() =>
      new Webhook(`whsec_${Buffer.from("another-secret-0123456789abc").toString("base64")}`).verify(
        hook.body,
        hook.headers as Record<string, string>,
      ),
    ).toThrow();
    const push = await waitFor("the Expo push", async () => expo.received.find((r) => r.body.includes("New Run Analyzed")));
    expect(push.path).toBe("/--/api/v2/push/send");
    expect(JSON.parse(push.body)).toEqual([
      expect.objectContaining({
        to: "ExponentPushToken[pipelinexxxxxxxxxxxx]",
        title: "New Run Analyzed",
        data: expect.objectContaining({ activityId: activity?.id }),
      }),
    ]);
    await waitFor("both outbox rows delivered", async () =>
      (await count(h.t, "SELECT 1 FROM training.notification_outbox WHERE user_id = $1 AND status = 'delivered'", [runner.userId])) === 2
        ? true
        : null,
    );

    // The dashboard of that day.
    const summary = await runner.trpc.dashboard.getTodaySummary.query({ date: "2026-03-10" });
    expect(summary).toMatchObject({
      date: "2026-03-10",
      timeZone: "Europe/Paris",
      scheduledWorkout: { id: workout!.id, status: "completed", completedActivityId: activity?.id },
      lastActivity: { id: activity?.id, trainingLoad: expectedTrimp, loadMethod: "trimp", source: "strava", type: "run" },
      load7d: expectedTrimp,
      acwrFlag: true,
    });
    expect(summary.acwr).toBe(day?.acwr);
  });

  it("duplicate Strava deliveries and a re-run give one activity, one fetch, one notification", async () => {
    vendor.activities.set("9002", stravaActivity(9002, athleteId, { start_date: "2026-03-11T06:00:00Z", average_heartrate: 140 }));
    const event = stravaEvent({ object_id: 9002, event_time: 1_773_210_000 });
    const first = await postStrava(h.t, event);
    const second = await postStrava(h.t, event);
    expect(second.body).toEqual({ eventId: first.body.eventId, duplicate: true });
    await processed(first.body.eventId);
    expect(await count(h.t, "SELECT 1 FROM training.activities WHERE source = 'strava' AND external_id = '9002'")).toBe(1);
    expect(fetchesOf(9002)).toHaveLength(1);
    const before = await activityRow("9002");
    // Replaying the event (operator replay) runs every stage again: same row, no second notification.
    const rerun = await h.t.services.jobs.enqueue(activityProcessingJob, { eventId: first.body.eventId });
    await waitFor("the re-run to complete", async () =>
      (await count(h.t, "SELECT 1 FROM pgboss.job WHERE id = $1 AND state = 'completed'", [rerun])) === 1 ? true : null,
    );
    expect(fetchesOf(9002)).toHaveLength(2);
    const after = await activityRow("9002");
    expect(after?.id).toBe(before?.id);
    expect(after?.server_changed_at).toBe(before?.server_changed_at);
    const notes = await db().query<{ dedupe_key: string }>(
      "SELECT dedupe_key FROM training.notification_outbox WHERE payload->'data'->>'activityId' = $1",
      [String(before?.id)],
    );
    expect(notes.map((n) => n.dedupe_key).sort()).toEqual([
      `activity.analyzed:${before?.id}:expo`,
      `activity.analyzed:${before?.id}:webhook`,
    ]);
  });

  it("an update that moves an activity to the next day re-analyses the day it left and the later days; its workout is pending again", async () => {
    const dayLoad = async (day: string) =>
      (
        await db().query<{ acute_load: number | null }>("SELECT acute_load FROM training.daily_metrics WHERE user_id = $1 AND date = $2", [
          runner.userId,
          day,
        ])
      )[0]?.acute_load;
    await db().query("INSERT INTO training.scheduled_workouts (user_id, date, type, status) VALUES ($1, '2026-06-10', 'easy', 'pending')", [
      runner.userId,
    ]);
    // A later day with a stored row (the device's metrics of that day).
    await db().query("INSERT INTO training.daily_metrics (user_id, date, sleep_hours) VALUES ($1, '2026-06-13', 7)", [runner.userId]);
    vendor.activities.set("9010", stravaActivity(9010, athleteId, { start_date: "2026-06-10T06:00:00Z" }));
    await processed((await postStrava(h.t, stravaEvent({ object_id: 9010, event_time: 1_781_000_000 }))).body.eventId);
    const first = await dayLoad("2026-06-10");
    expect(first).toBeGreaterThan(0);
    expect(await dayLoad("2026-06-13")).toBeCloseTo((first ?? 0) * 0.75 ** 3, 1);
    const workout = () =>
      db().query<{ status: string; completed_activity_id: string | null }>(
        "SELECT status, completed_activity_id FROM training.scheduled_workouts WHERE user_id = $1 AND date = '2026-06-10'",
        [runner.userId],
      );
    expect((await workout())[0]?.status).toBe("completed");

    vendor.activities.set("9010", stravaActivity(9010, athleteId, { start_date: "2026-06-11T06:00:00Z" }));
    const moved = await postStrava(h.t, stravaEvent({ object_id: 9010, aspect_type: "update", event_time: 1_781_000_100 }));
    await processed(moved.body.eventId);
    expect(await dayLoad("2026-06-10")).toBe(0);
    const next = await dayLoad("2026-06-11");
    expect(next).toBeGreaterThan(0);
    expect(await dayLoad("2026-06-13")).toBeCloseTo((next ?? 0) * 0.75 ** 2, 1);
    expect(await workout()).toEqual([{ status: "pending", completed_activity_id: null }]);
  });

  it("an update event re-fetches into the same activity; a delete event removes it and leaves a sync tombstone", async () => {
    vendor.activities.set("9003", stravaActivity(9003, athleteId, { start_date: "2026-03-12T06:00:00Z" }));
    const created = await postStrava(h.t, stravaEvent({ object_id: 9003, event_time: 1_773_300_000 }));
    await processed(created.body.eventId);
    const original = await activityRow("9003");
    vendor.activities.set(
      "9003",
      stravaActivity(9003, athleteId, { start_date: "2026-03-12T06:00:00Z", name: "Renamed", elapsed_time: 3_700 }),
    );
    const updated = await postStrava(
      h.t,
      stravaEvent({ object_id: 9003, aspect_type: "update", updates: { title: "Renamed" }, event_time: 1_773_300_100 }),
    );
    await processed(updated.body.eventId);
    const changed = await activityRow("9003");
    expect(changed?.id).toBe(original?.id);
    expect(changed?.duration_sec).toBe(3_700);
    expect(Number(changed?.server_changed_at)).toBeGreaterThan(Number(original?.server_changed_at));

    // Strava does not sign events: a delete for an activity Strava still has is not acted on.
    const forged = await postStrava(h.t, stravaEvent({ object_id: 9003, aspect_type: "delete", event_time: 1_773_300_150 }));
    await processed(forged.body.eventId);
    expect((await activityRow("9003"))?.id).toBe(original?.id);
    // The device has synced the activity (a first pull lists it) before it is deleted at Strava.
    const synced = await runner.trpc.sync.pullChanges.query({ lastPulledAt: null, schemaVersion: 1 });
    expect(synced.changes.activities.created.map((row: { id: string }) => row.id)).toContain(original?.id);
    vendor.activities.delete("9003");
    const deleted = await postStrava(h.t, stravaEvent({ object_id: 9003, aspect_type: "delete", event_time: 1_773_300_200 }));
    await processed(deleted.body.eventId);
    expect(await activityRow("9003")).toBeUndefined();
    // The next pull tells the device: the id is in `deleted`, nowhere else.
    const next = await runner.trpc.sync.pullChanges.query({ lastPulledAt: synced.timestamp, schemaVersion: 1 });
    expect(next.changes.activities.deleted).toContain(original?.id);
    const listed = [...next.changes.activities.created, ...next.changes.activities.updated].map((row: { id: string }) => row.id);
    expect(listed).not.toContain(original?.id);
    const tombstones = await db().query<{ record_id: string }>(
      "SELECT record_id FROM training.sync_tombstones WHERE user_id = $1 AND table_name = 'activities'",
      [runner.userId],
    );
    expect(tombstones.map((row) => row.record_id)).toContain(original?.id);
  });

  it("a vendor 500 then 200: the job is retried and completes", async () => {
    vendor.activities.set("9100", stravaActivity(9100, athleteId, { start_date: "2026-03-13T06:00:00Z" }));
    vendor.failNext("/api/v3/activities/9100", { status: 500, body: { message: "Internal Server Error" } });
    const res = await postStrava(h.t, stravaEvent({ object_id: 9100, event_time: 1_773_400_000 }));
    await processed(res.body.eventId);
    expect(fetchesOf(9100).length).toBe(2);
    expect(await activityRow("9100")).toBeDefined();
  });

  it("a vendor 429 with Retry-After: the event waits that long, then completes", async () => {
    vendor.activities.set("9101", stravaActivity(9101, athleteId, { start_date: "2026-03-13T08:00:00Z" }));
    vendor.failNext("/api/v3/activities/9101", { status: 429, headers: { "retry-after": "2" }, body: { message: "Rate Limit Exceeded" } });
    const res = await postStrava(h.t, stravaEvent({ object_id: 9101, event_time: 1_773_400_100 }));
    await processed(res.body.eventId, 20_000);
    const [limited, served] = fetchesOf(9101);
    expect(served).toBeDefined();
    expect(served!.at - limited!.at).toBeGreaterThanOrEqual(2_000);
    expect(await activityRow("9101")).toBeDefined();
  });

  it("refreshes the Strava token before it expires", async () => {
    const other = await mobileUser(h, "refresh");
    vendor.tokenLifetimeSeconds = 120; // under the 5-minute margin: the next use refreshes first
    await connectStrava(h.t, vendor, other.accessToken, 777_001);
    vendor.tokenLifetimeSeconds = 6 * 3600;
    const [before] = await db().query<{ access_token: string; expires_at: Date }>(
      "SELECT access_token, expires_at FROM training.provider_connections WHERE user_id = $1",
      [other.userId],
    );
    vendor.activities.set("9200", stravaActivity(9200, 777_001));
    const refreshesBefore = vendor.requests.filter((r) => r.path === "/oauth/token" && r.body.includes("grant_type=refresh_token")).length;
    const res = await postStrava(h.t, stravaEvent({ object_id: 9200, owner_id: 777_001, event_time: 1_773_500_000 }));
    await processed(res.body.eventId);
    expect(vendor.requests.filter((r) => r.path === "/oauth/token" && r.body.includes("grant_type=refresh_token")).length).toBe(
      refreshesBefore + 1,
    );
    const [after] = await db().query<{ access_token: string; expires_at: Date }>(
      "SELECT access_token, expires_at FROM training.provider_connections WHERE user_id = $1",
      [other.userId],
    );
    expect(after?.access_token).not.toBe(before?.access_token);
    expect(new Date(after!.expires_at).getTime()).toBeGreaterThan(Date.now() + 5 * 3600 * 1000);
    // The fetch used the refreshed token (the old one would have worked at Strava too, but was not used).
    const fetch = fetchesOf(9200)[0];
    expect(vendor.liveAccessTokens.get(String(fetch?.authorization).replace("Bearer ", ""))).toBe(777_001);
    // Stored sealed, never in the clear.
    expect(after?.access_token.startsWith("v1.")).toBe(true);
    expect(after?.access_token).not.toContain(String(fetch?.authorization).replace("Bearer ", ""));
  });

  it("athlete deauthorization revokes the connection and drops its tokens", async () => {
    const leaver = await mobileUser(h, "deauth");
    await connectStrava(h.t, vendor, leaver.accessToken, 888_001);
    const deauthorization = (eventTime: number) =>
      postStrava(
        h.t,
        stravaEvent({
          object_type: "athlete",
          object_id: 888_001,
          owner_id: 888_001,
          aspect_type: "update",
          updates: { authorized: "false" },
          event_time: eventTime,
        }),
      );
    // Not confirmed by Strava (the refresh token still works): ignored, the link stays.
    const forged = await deauthorization(1_773_700_000);
    await processed(forged.body.eventId);
    const [kept] = await db().query<{ status: string }>("SELECT status FROM training.provider_connections WHERE user_id = $1", [
      leaver.userId,
    ]);
    expect(kept?.status).toBe("active");
    vendor.deauthorize(888_001);
    const res = await deauthorization(1_773_700_100);
    await processed(res.body.eventId);
    const [row] = await db().query<{ status: string; access_token: string | null; refresh_token: string | null }>(
      "SELECT status, access_token, refresh_token FROM training.provider_connections WHERE user_id = $1",
      [leaver.userId],
    );
    expect(row).toEqual({ status: "revoked", access_token: null, refresh_token: null });
    expect((await postStrava(h.t, stravaEvent({ owner_id: 888_001, object_id: 5 }))).status).toBe(403);
  });

  it("Garmin: duplicate pushes give one activity; a ping is pulled; dailies, sleep and HRV land on the day", async () => {
    const garminUser = "garmin-user-pipeline";
    const garminToken = "garmin-user-access-token-1";
    await connectGarmin(h.t, vendor, runner.accessToken, garminUser, garminToken);
    const push = { activities: [garminActivity(garminUser, garminToken, { summaryId: "g-100", activityId: 100 })] };
    const first = await postGarmin(h.t, "activities", push);
    const second = await postGarmin(h.t, "activities", push);
    expect(first.body.accepted).toBe(1);
    expect(second.body.duplicates).toBe(1);
    await waitFor("the Garmin activity", async () =>
      (await count(
        h.t,
        "SELECT 1 FROM training.activities WHERE source = 'garmin' AND external_id = '100' AND training_load IS NOT NULL",
      )) === 1
        ? true
        : null,
    );

    const pullPath = "/wellness-api/rest/activities?uploadStartTimeInSeconds=1773140000&uploadEndTimeInSeconds=1773140100&token=pull-1";
    vendor.garminPulls.set(pullPath, [
      garminActivity(garminUser, garminToken, {
        summaryId: "g-101",
        activityId: 101,
        activityType: "TRAIL_RUNNING",
        averageHeartRateInBeatsPerMinute: null,
      }),
    ]);
    const ping = await postGarmin(h.t, "activities", {
      activities: [{ userId: garminUser, userAccessToken: garminToken, callbackURL: `${vendor.url}${pullPath}` }],
    });
    expect(ping.body.accepted).toBe(1);
    await waitFor("the pulled activity", async () =>
      (await count(h.t, "SELECT 1 FROM training.activities WHERE source = 'garmin' AND external_id = '101'")) === 1 ? true : null,
    );
    expect(vendor.requests.some((r) => r.path === pullPath)).toBe(true);

    const dailies = await postGarmin(h.t, "dailies", {
      dailies: [
        {
          userId: garminUser,
          userAccessToken: garminToken,
          summaryId: "d-200",
          calendarDate: "2026-03-20",
          restingHeartRateInBeatsPerMinute: 48,
          averageStressLevel: 31,
        },
      ],
      sleeps: [
        { userId: garminUser, userAccessToken: garminToken, summaryId: "sl-200", calendarDate: "2026-03-20", durationInSeconds: 27_000 },
      ],
      hrv: [{ userId: garminUser, userAccessToken: garminToken, summaryId: "h-200", calendarDate: "2026-03-20", lastNightAvg: 62 }],
    });
    expect(dailies.body.accepted).toBe(3);
    const metrics = await waitFor("the day's metrics", async () => {
      const [row] = await db().query<{ resting_hr: number; stress_score: number; sleep_hours: number; hrv_rmssd: number }>(
        "SELECT resting_hr, stress_score, sleep_hours, hrv_rmssd FROM training.daily_metrics WHERE user_id = $1 AND date = '2026-03-20'",
        [runner.userId],
      );
      return row?.resting_hr && row.sleep_hours && row.hrv_rmssd ? row : null;
    });
    expect(metrics).toEqual({ resting_hr: 48, stress_score: 31, sleep_hours: 7.5, hrv_rmssd: 62 });
    const summary = await runner.trpc.dashboard.getTodaySummary.query({ date: "2026-03-20" });
    // No HRV baseline yet: readiness from sleep (94) and no soreness.
    expect(summary.readiness).toMatchObject({ score: 94, components: { hrv: null, sleep: 94, soreness: null }, sleepHours: 7.5 });
  });

  it("a notification the receiver refuses is retried until delivered", async () => {
    notifyReceiver.failNext(500, 503);
    const before = notifyReceiver.received.length;
    vendor.activities.set(
      "9300",
      stravaActivity(9300, athleteId, { start_date: "2026-03-14T06:00:00Z", sport_type: "Ride", type: "Ride" }),
    );
    const res = await postStrava(h.t, stravaEvent({ object_id: 9300, event_time: 1_773_600_000 }));
    await processed(res.body.eventId);
    const id = String((await activityRow("9300"))?.id);
    const row = await waitFor("the webhook notification delivered", async () => {
      const [found] = await db().query<{ status: string; attempts: number }>(
        "SELECT status, attempts FROM training.notification_outbox WHERE dedupe_key = $1",
        [`activity.analyzed:${id}:webhook`],
      );
      return found?.status === "delivered" ? found : null;
    });
    expect(row.attempts).toBe(3);
    const deliveries = notifyReceiver.received.slice(before).filter((r) => r.body.includes(id));
    expect(deliveries).toHaveLength(3);
    // The same webhook-id on every attempt: receivers dedupe on it.
    expect(new Set(deliveries.map((r) => r.headers["webhook-id"])).size).toBe(1);
    expect(deliveries.at(-1)?.body).toContain("New Ride Analyzed");
  });

  it("user B never sees user A's activities, analysis or connections", async () => {
    const b = await mobileUser(h, "isolated");
    const summary = await b.trpc.dashboard.getTodaySummary.query({ date: "2026-03-10" });
    expect(summary).toMatchObject({ lastActivity: null, scheduledWorkout: null, readiness: null, load7d: 0, acwr: null, acwrFlag: false });
    const connections = await h.t.call("GET", "/api/training/providers", { headers: bearer(b.accessToken) });
    expect(connections.body).toEqual({ data: [] });
    const mine = await h.t.call("GET", "/api/training/providers", { headers: bearer(runner.accessToken) });
    expect(mine.body.data.map((c: { provider: string }) => c.provider).sort()).toEqual(["garmin", "strava"]);
    expect(JSON.stringify(mine.body)).not.toMatch(/v1\.[0-9a-f]{16}\./);
    // B disconnecting "strava" touches only B's (absent) connection.
    expect((await h.t.call("DELETE", "/api/training/providers/strava", { headers: bearer(b.accessToken) })).status).toBe(204);
    expect(
      (await h.t.call("GET", "/api/training/providers", { headers: bearer(runner.accessToken) })).body.data.find(
        (c: { provider: string }) => c.provider === "strava",
      ).status,
    ).toBe("active");
  });
});
