import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trainingPrivacy } from "../../src/modules/training/training-privacy.ts";
import { asService } from "../../src/platform/tenancy/with-tenant.ts";
import { mobileUser, startTrainingApp, type TrainingHarness } from "./support.ts";
import { createDevice } from "./watermelon.ts";

let h: TrainingHarness;
beforeAll(async () => {
  h = await startTrainingApp();
});
afterAll(async () => {
  await h?.close();
});

describe("training privacy handlers", () => {
  it("export holds the user's synced data and no one else's; erase leaves no row, tombstone or clock of theirs", async () => {
    const a = await mobileUser(h, "privacy-a");
    const b = await mobileUser(h, "privacy-b");
    for (const user of [a, b]) {
      const device = createDevice(h, "trpc", () => user.accessToken);
      const plan = await device.create("training_plans", { current_phase: "base" });
      await device.create("scheduled_workouts", { plan_id: plan.id, date: "2026-04-01", type: "easy" });
      await device.create("activities", { source: "manual", type: "run", start_time: Date.UTC(2026, 3, 1) });
      await device.create("daily_metrics", { date: "2026-04-01", resting_hr: 50 });
      await device.sync();
      await user.trpc.user.updateSettings.mutate({ maxHr: 188 });
    }
    const db = h.t.services.db;
    const subject = { userId: a.userId, email: a.email.toLowerCase() };
    const exported = await asService(db, "test", (tx) => trainingPrivacy.export(tx, subject));
    expect(exported).toMatchObject({ settings: { maxHr: 188 } });
    for (const key of ["activities", "dailyMetrics", "trainingPlans", "scheduledWorkouts"]) expect(exported[key]).toHaveLength(1);
    expect(JSON.stringify(exported)).not.toContain(b.userId);

    const counts = await asService(db, "test", (tx) => trainingPrivacy.erase(tx, subject));
    expect(counts).toMatchObject({ activities: 1, daily_metrics: 1, training_plans: 1, scheduled_workouts: 1, profiles: 1 });
    const left = await asService(db, "test", (tx) =>
      tx.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM training.activities WHERE user_id = $1) + (SELECT count(*) FROM training.daily_metrics WHERE user_id = $1)
              + (SELECT count(*) FROM training.training_plans WHERE user_id = $1) + (SELECT count(*) FROM training.scheduled_workouts WHERE user_id = $1)
              + (SELECT count(*) FROM training.sync_tombstones WHERE user_id = $1) + (SELECT count(*) FROM training.sync_clocks WHERE user_id = $1)
              + (SELECT count(*) FROM training.profiles WHERE user_id = $1) AS n`,
        [a.userId],
      ),
    );
    expect(Number(left[0]?.n)).toBe(0);
    const others = await asService(db, "test", (tx) => tx.query("SELECT id FROM training.activities WHERE user_id = $1", [b.userId]));
    expect(others).toHaveLength(1);
  });
});
