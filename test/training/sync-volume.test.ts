import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asService } from "../../src/platform/tenancy/with-tenant.ts";
import { mobileUser, startTrainingApp, type TrainingHarness } from "./support.ts";
import { createDevice, transportFor, watermelonLog } from "./watermelon.ts";

// Seed 004 item 3: "a first sync of 10,000 records works" — one response, no pages. Time and
// server memory are measured by bench/training-sync.ts (docs/benchmarks.md).
let h: TrainingHarness;
beforeAll(async () => {
  h = await startTrainingApp();
});
afterAll(async () => {
  await h?.close();
});

describe("first sync of 10,000 records", () => {
  it("arrives whole in one pull, over tRPC into the real client and over REST", async () => {
    const user = await mobileUser(h, "volume");
    await asService(h.t.services.db, "test", async (tx) => {
      await tx.query(
        `INSERT INTO training.activities (user_id, source, type, start_time, duration_sec, avg_hr, rpe)
         SELECT $1, 'garmin', 'run', now() - i * interval '3 hours', 1800 + i, 140, 1 + i % 10 FROM generate_series(1, 6000) AS i`,
        [user.userId],
      );
      await tx.query(
        "INSERT INTO training.daily_metrics (user_id, date, resting_hr) SELECT $1, current_date - i, 50 FROM generate_series(1, 2000) AS i",
        [user.userId],
      );
      await tx.query(
        "INSERT INTO training.scheduled_workouts (user_id, date, type, status) SELECT $1, current_date + i % 300, 'easy', 'pending' FROM generate_series(1, 2000) AS i",
        [user.userId],
      );
    });
    watermelonLog.length = 0;
    const device = createDevice(h, "trpc", () => user.accessToken);
    await device.sync();
    expect((await device.all("activities")).length).toBe(6000);
    expect((await device.all("daily_metrics")).length).toBe(2000);
    expect((await device.all("scheduled_workouts")).length).toBe(2000);
    expect(watermelonLog).toEqual([]);

    const { pull } = transportFor(h, "rest", () => user.accessToken);
    const whole = await pull({ lastPulledAt: null, schemaVersion: 1, migration: null });
    const ids = new Set(Object.values(whole.changes).flatMap((table) => table.created.map((record) => record.id)));
    expect(ids.size).toBe(10_000);
    const next = await pull({ lastPulledAt: await device.lastPulledAt(), schemaVersion: 1, migration: null });
    expect(next.changes.activities).toEqual({ created: [], updated: [], deleted: [] });
  }, 120_000);
});
