import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fastJobsEnv } from "../jobs/support/fast-env.ts";
import { waitFor } from "../jobs/support/wait-for.ts";
import { spawnWorker, type WorkerProcess } from "../jobs/support/worker-process.ts";
import { dbKind } from "../support/test-database.ts";
import { type FakeVendor, startFakeVendor, stravaActivity } from "./support/fake-vendor.ts";
import { connectGarmin, connectStrava, garminActivity, ingestEnv, postGarmin, postStrava, stravaEvent } from "./support/ingest.ts";
import { type MobileUser, mobileUser, startTrainingApp, type TrainingHarness } from "./support.ts";

// A worker in its own process needs a real server: PGlite is one in-process session.
describe.runIf(dbKind === "postgres")("ingestion end to end with a real worker process", () => {
  let h: TrainingHarness;
  let vendor: FakeVendor;
  let worker: WorkerProcess;
  let runner: MobileUser;

  beforeAll(async () => {
    vendor = await startFakeVendor();
    const env = ingestEnv(vendor, fastJobsEnv);
    h = await startTrainingApp(env);
    // `backplane worker` as shipped: the training module's jobs, configured like the server.
    worker = await spawnWorker(h.t.database.url as string, env, []);
    runner = await mobileUser(h, "e2e");
    await runner.trpc.user.updateSettings.mutate({ maxHr: 185, restingHr: 48, sex: "female", timeZone: "America/New_York" });
    await connectStrava(h.t, vendor, runner.accessToken, 424_242);
    await connectGarmin(h.t, vendor, runner.accessToken, "garmin-e2e-user", "garmin-e2e-token");
  }, 60_000);
  afterAll(async () => {
    if (worker && worker.child.exitCode === null) {
      worker.child.kill("SIGTERM");
      await worker.exited;
    }
    await h?.close();
    await vendor?.close();
  });

  it("Strava webhook → activity-processing job in the worker → activity → dashboard", async () => {
    // 23:00 in New York (EDT since the 8th) on the 9th is 03:00 UTC on the 10th: the user's day is the 9th.
    vendor.activities.set(
      "31337",
      stravaActivity(31337, 424_242, { start_date: "2026-03-10T03:00:00Z", elapsed_time: 2_400, average_heartrate: 155 }),
    );
    const res = await postStrava(h.t, stravaEvent({ object_id: 31337, owner_id: 424_242 }));
    expect(res.status, res.text).toBe(200);
    const summary = await waitFor(
      "the dashboard to show the activity",
      async () => {
        const today = await runner.trpc.dashboard.getTodaySummary.query({ date: "2026-03-09" });
        return today.lastActivity?.trainingLoad ? today : null;
      },
      30_000,
      200,
    );
    expect(summary.lastActivity).toMatchObject({ source: "strava", type: "run", durationSec: 2_400, avgHr: 155, loadMethod: "trimp" });
    expect(summary.load7d).toBe(summary.lastActivity?.trainingLoad);
    expect(summary.acwr).not.toBeNull();
    const [event] = await h.t.services.db.query<{ status: string }>("SELECT status FROM backplane.webhook_events WHERE id = $1", [
      res.body.eventId,
    ]);
    expect(event?.status).toBe("processed");
  }, 45_000);

  it("Garmin push → worker → activity (session RPE absent, no HR: no load)", async () => {
    const res = await postGarmin(h.t, "activities", {
      activities: [
        garminActivity("garmin-e2e-user", "garmin-e2e-token", {
          summaryId: "e2e-1",
          activityId: 777,
          averageHeartRateInBeatsPerMinute: null,
        }),
      ],
    });
    expect(res.body.accepted).toBe(1);
    const [row] = await waitFor(
      "the Garmin activity",
      async () => {
        const rows = await h.t.services.db.query<{ type: string; training_load: number | null; analyzed_at: Date | null }>(
          "SELECT type, training_load, analyzed_at FROM training.activities WHERE source = 'garmin' AND external_id = '777'",
        );
        return rows.length ? rows : null;
      },
      30_000,
      200,
    );
    expect(row).toMatchObject({ type: "run", training_load: null });
    expect(worker.child.exitCode).toBeNull();
  }, 45_000);
});
