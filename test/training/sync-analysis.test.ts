import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trainingModule } from "../../src/modules/training/module.ts";
import { analyseSyncedChanges } from "../../src/modules/training/pipeline/sync-analysis-job.ts";
import { type RunningWorker, startWorker } from "../../src/platform/jobs/start-worker.ts";
import { asService, withTenant } from "../../src/platform/tenancy/with-tenant.ts";
import { fastJobsEnv } from "../jobs/support/fast-env.ts";
import { waitFor } from "../jobs/support/wait-for.ts";
import { mobileUser, startTrainingApp, type TrainingHarness } from "./support.ts";
import { transportFor } from "./watermelon.ts";

// Issue 12 review: a device-created activity gets its load (session RPE × minutes without HR)
// and its days their analysis, through a push, then the queued job on a real worker.

let h: TrainingHarness;
let worker: RunningWorker;
beforeAll(async () => {
  h = await startTrainingApp(fastJobsEnv);
  worker = await startWorker(h.t.services, [trainingModule]);
});
afterAll(async () => {
  await worker?.stop(1);
  await h?.close();
});

const asServer = <T>(fn: Parameters<typeof asService<T>>[2]) => asService(h.t.services.db, "test", fn);
const activityRow = async (id: string) =>
  (
    await asServer((tx) =>
      tx.query<{ training_load: number | null; load_method: string | null; server_changed_at: string }>(
        "SELECT training_load, load_method, server_changed_at::text FROM training.activities WHERE id = $1",
        [id],
      ),
    )
  )[0];

for (const transport of ["trpc", "rest"] as const) {
  describe(`push → job → load (${transport})`, () => {
    it("a manual activity pushed without HR gets session RPE × minutes, counted in load7d; deleting it takes it out", async () => {
      const user = await mobileUser(h, `analysis-${transport}`);
      const { pull, push } = transportFor(h, transport, () => user.accessToken);
      const { timestamp } = await pull({ lastPulledAt: null, schemaVersion: 1, migration: null });
      const id = `manual${transport}Run0001`.slice(0, 16);
      // Today (UTC, the default time zone), in the past.
      const startTime = Math.max(
        Date.now() - 2 * 3600 * 1000,
        Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()),
      );
      const day = new Date(startTime).toISOString().slice(0, 10);
      await push({
        lastPulledAt: timestamp,
        changes: {
          activities: {
            created: [{ id, source: "manual", type: "run", start_time: startTime, duration_sec: 3000, rpe: 6, created_at: 0 }],
            updated: [],
            deleted: [],
          },
        },
      });
      const loaded = await waitFor("the pushed activity's load", async () => {
        const row = await activityRow(id);
        return row?.training_load != null ? row : null;
      });
      expect(loaded).toMatchObject({ training_load: 300, load_method: "session_rpe" });
      const summary = await waitFor("the day analysed", async () => {
        const s = await user.trpc.dashboard.getTodaySummary.query();
        return s.acuteLoad > 0 ? s : null;
      });
      expect(summary.load7d).toBe(300);
      expect(summary.lastActivity).toMatchObject({ id, trainingLoad: 300, loadMethod: "session_rpe" });

      // The dashboard reads activities live; the job is what re-analyses the stored day.
      const dayRow = () =>
        asServer((tx) =>
          tx.query<{ acute_load: number }>("SELECT acute_load FROM training.daily_metrics WHERE user_id = $1 AND date = $2", [
            user.userId,
            day,
          ]),
        );
      // 300 × λ(7 days) = 2/8, written to the day by the job.
      await waitFor("the day re-analysed by the job", async () => (await dayRow())[0]?.acute_load === 75);
      // The same job again (a retry): same rows, nothing re-stamped.
      const payload = { userId: user.userId, activityIds: [id], days: [], removedStarts: [] };
      const tenant = { orgId: null, userId: user.userId, principal: "test" };
      await withTenant(h.t.services.db, tenant, (tx) => analyseSyncedChanges(tx, payload));
      expect(await activityRow(id)).toEqual(loaded);

      const { timestamp: later } = await pull({ lastPulledAt: timestamp, schemaVersion: 1, migration: null });
      await push({ lastPulledAt: later, changes: { activities: { created: [], updated: [], deleted: [id] } } });
      await waitFor("the deleted activity's day re-analysed by the job", async () => (await dayRow())[0]?.acute_load === 0);
      expect((await user.trpc.dashboard.getTodaySummary.query()).load7d).toBe(0);
    });
  });
}

describe("re-analysis covers the days after the change, and the day an activity left", () => {
  it("moving an activity a day later: its old day loses the load, later days follow, its workout is pending again", async () => {
    const user = await mobileUser(h, "analysis-move");
    const { pull, push } = transportFor(h, "rest", () => user.accessToken);
    const dayMs = 24 * 3600 * 1000;
    const midnight = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
    const dayOf = (ago: number) => new Date(midnight - ago * dayMs).toISOString().slice(0, 10);
    const id = `moveRun${Date.now().toString(36)}`;
    const { timestamp } = await pull({ lastPulledAt: null, schemaVersion: 1, migration: null });
    await push({
      lastPulledAt: timestamp,
      changes: {
        activities: {
          created: [{ id, source: "manual", type: "run", start_time: midnight - 3 * dayMs + 12 * 3600 * 1000, duration_sec: 3000, rpe: 6 }],
          updated: [],
          deleted: [],
        },
        daily_metrics: { created: [{ id: `moveDay${Date.now().toString(36)}`, date: dayOf(1), sleep_hours: 7 }], updated: [], deleted: [] },
        scheduled_workouts: {
          created: [
            { id: `moveW3${Date.now().toString(36)}`, date: dayOf(3), type: "easy", status: "pending" },
            { id: `moveW2${Date.now().toString(36)}`, date: dayOf(2), type: "easy", status: "pending" },
          ],
          updated: [],
          deleted: [],
        },
      },
    });
    const state = () =>
      asServer(async (tx) => ({
        days: Object.fromEntries(
          (
            await tx.query<{ day: string; acute_load: number }>(
              "SELECT to_char(date, 'YYYY-MM-DD') AS day, acute_load FROM training.daily_metrics WHERE user_id = $1",
              [user.userId],
            )
          ).map((row) => [row.day, row.acute_load]),
        ),
        workouts: Object.fromEntries(
          (
            await tx.query<{ date: string; status: string; completed_activity_id: string | null }>(
              "SELECT to_char(date, 'YYYY-MM-DD') AS date, status, completed_activity_id FROM training.scheduled_workouts WHERE user_id = $1",
              [user.userId],
            )
          ).map((row) => [row.date, `${row.status}:${row.completed_activity_id ?? "-"}`]),
        ),
      }));
    // 300 on day −3: acute 75 there, then ×0.75 per day.
    await waitFor("the first analysis", async () => ((await state()).days[dayOf(3)] === 75 ? true : null));
    expect(await state()).toEqual({
      days: { [dayOf(3)]: 75, [dayOf(1)]: 42.19 },
      workouts: { [dayOf(3)]: `completed:${id}`, [dayOf(2)]: "pending:-" },
    });

    const { timestamp: later } = await pull({ lastPulledAt: timestamp, schemaVersion: 1, migration: null });
    await push({
      lastPulledAt: later,
      changes: { activities: { created: [], updated: [{ id, start_time: midnight - 2 * dayMs + 12 * 3600 * 1000 }], deleted: [] } },
    });
    await waitFor("the move analysed", async () => ((await state()).days[dayOf(2)] === 75 ? true : null));
    expect(await state()).toEqual({
      days: { [dayOf(3)]: 0, [dayOf(2)]: 75, [dayOf(1)]: 56.25 },
      workouts: { [dayOf(3)]: "pending:-", [dayOf(2)]: `completed:${id}` },
    });
  });
});
