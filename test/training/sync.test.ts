import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { tombstoneCleanup } from "../../src/modules/training/sync/tombstone-cleanup.ts";
import { asService } from "../../src/platform/tenancy/with-tenant.ts";
import { type MobileUser, mobileUser, startTrainingApp, type TrainingHarness } from "./support.ts";
import { createDevice, type Transport, transportFor, watermelonLog } from "./watermelon.ts";

// Seed 004 item 3: WatermelonDB sync with the real `synchronize()` (LokiJS in Node), over tRPC
// (@trpc/client, real HTTP) and over the REST mirrors (WatermelonDB's documented fetch code).

let h: TrainingHarness;
beforeAll(async () => {
  h = await startTrainingApp();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  watermelonLog.length = 0;
});

const DAY = 24 * 3600 * 1000;
type ErrorBody = { error: { code: string }; details: unknown };
const asServer = <T>(fn: Parameters<typeof asService<T>>[2]) => asService(h.t.services.db, "test", fn);

async function serverRow(table: string, id: string): Promise<Record<string, unknown> | null> {
  const rows = await asServer((tx) => tx.query(`SELECT * FROM training.${table} WHERE id = $1`, [id]));
  return rows[0] ?? null;
}

function run(description: string, transport: Transport) {
  describe(`${description}`, () => {
    let user: MobileUser;
    const phone = (who: MobileUser = user) => createDevice(h, transport, () => who.accessToken);
    beforeEach(async () => {
      user = await mobileUser(h, transport);
    });

    it("first sync: the device's record keeps its id; another device gets it with numbers as numbers and dates as YYYY-MM-DD", async () => {
      const a = phone();
      const startTime = Date.UTC(2026, 2, 1, 6, 30, 0, 123);
      const activity = await a.create("activities", {
        source: "manual",
        type: "run",
        start_time: startTime,
        duration_sec: 2700,
        distance_meters: 8012.5,
        avg_hr: 148,
        rpe: 6,
      });
      const metric = await a.create("daily_metrics", { date: "2026-03-01", resting_hr: 47, hrv_rmssd: 68.25, sleep_hours: 7.5 });
      expect(activity.id).toMatch(/^[0-9A-Za-z]{16}$/);
      await a.sync();
      expect(await a.status("activities", activity.id)).toBe("synced");

      const stored = await serverRow("activities", activity.id);
      expect(stored).toMatchObject({ id: activity.id, user_id: user.userId, source: "manual", type: "run", avg_hr: 148, rpe: 6 });
      expect(new Date(stored?.start_time as Date).getTime()).toBe(startTime);

      const b = phone();
      await b.sync();
      const pulled = await b.find("activities", activity.id);
      expect(pulled).toMatchObject({
        start_time: startTime,
        duration_sec: 2700,
        distance_meters: 8012.5,
        avg_hr: 148,
        rpe: 6,
        source: "manual",
      });
      expect(typeof pulled?.created_at).toBe("number");
      expect(await b.find("daily_metrics", metric.id)).toMatchObject({
        date: "2026-03-01",
        resting_hr: 47,
        hrv_rmssd: 68.25,
        sleep_hours: 7.5,
      });
      expect(watermelonLog).toEqual([]);
    });

    it("a pull lists every synced table with created/updated/deleted, no id twice, no _status/_changed; an incremental pull with no changes returns none", async () => {
      const { pull } = transportFor(h, transport, () => user.accessToken);
      await asServer((tx) =>
        tx.query("INSERT INTO training.activities (user_id, source, type, start_time) VALUES ($1, 'strava', 'cycle', now())", [
          user.userId,
        ]),
      );
      const first = await pull({ lastPulledAt: null, schemaVersion: 1, migration: null });
      expect(Object.keys(first.changes).sort()).toEqual(["activities", "daily_metrics", "scheduled_workouts", "training_plans"]);
      for (const table of Object.values(first.changes) as { created: unknown[]; updated: unknown[]; deleted: unknown[] }[]) {
        expect(Object.keys(table).sort()).toEqual(["created", "deleted", "updated"]);
      }
      const record = first.changes.activities.created[0];
      expect(record).not.toHaveProperty("_status");
      expect(record).not.toHaveProperty("_changed");
      expect(record).not.toHaveProperty("user_id");
      expect(record).not.toHaveProperty("server_changed_at");
      expect(typeof first.timestamp).toBe("number");

      const again = await pull({ lastPulledAt: first.timestamp, schemaVersion: 1, migration: null });
      for (const table of Object.values(again.changes) as { created: unknown[]; updated: unknown[]; deleted: unknown[] }[]) {
        expect(table).toEqual({ created: [], updated: [], deleted: [] });
      }
      expect(again.timestamp).toBeGreaterThanOrEqual(first.timestamp);
    });

    it("two devices edit the same record: per-column merge, both edits end on the server and on both devices", async () => {
      const a = phone();
      const b = phone();
      const activity = await a.create("activities", { source: "manual", type: "run", start_time: Date.now() - DAY, avg_hr: 140 });
      await a.sync();
      await b.sync();
      await a.update("activities", activity.id, { rpe: 7 });
      await b.update("activities", activity.id, { avg_hr: 152 });
      await a.sync();
      await b.sync(); // pulls A's rpe, keeps its own avg_hr, pushes the merge
      await a.sync();
      for (const device of [a, b]) expect(await device.find("activities", activity.id)).toMatchObject({ rpe: 7, avg_hr: 152 });
      expect(await serverRow("activities", activity.id)).toMatchObject({ rpe: 7, avg_hr: 152 });
      // A device is never told to "create" a record it pushed itself (WatermelonDB would log it as a bug).
      expect(watermelonLog).toEqual([]);
    });

    it("a push racing another write is refused with 409 and applies nothing; the next sync merges and succeeds", async () => {
      const a = phone();
      const activity = await a.create("activities", { source: "manual", type: "run", start_time: Date.now() - DAY, rpe: 3 });
      await a.sync();
      await a.update("activities", activity.id, { rpe: 8 });
      const other = await a.create("training_plans", { current_phase: "base" });
      let raced = false;
      const failure = await a
        .sync({
          // Between this device's pull and its push, the pipeline analyses the activity.
          beforePush: async () => {
            if (raced) return;
            raced = true;
            await asServer((tx) =>
              tx.query("UPDATE training.activities SET training_load = 55.5, load_method = 'session_rpe' WHERE id = $1", [activity.id]),
            );
          },
        })
        .then(
          () => null,
          (error: Error) => error,
        );
      expect(failure?.message).toMatch(transport === "trpc" ? /changed on the server/ : /409/);
      // Nothing of that push was applied: not the edit, not the new plan.
      expect(await serverRow("activities", activity.id)).toMatchObject({ rpe: 3, training_load: 55.5 });
      expect(await serverRow("training_plans", other.id)).toBeNull();

      await a.sync();
      expect(await serverRow("activities", activity.id)).toMatchObject({ rpe: 8, training_load: 55.5 });
      expect(await serverRow("training_plans", other.id)).not.toBeNull();
      expect(await a.find("activities", activity.id)).toMatchObject({ rpe: 8, training_load: 55.5, load_method: "session_rpe" });
    });

    it("re-pushing a created record the server already has (the answer was lost) updates it, never duplicates it", async () => {
      const a = phone();
      const activity = await a.create("activities", { source: "manual", type: "swim", start_time: Date.now() - DAY, duration_sec: 1800 });
      // The push reaches the server, the answer never reaches the phone.
      const lost = await a.sync({ afterPush: async () => Promise.reject(new Error("connection reset")) }).then(
        () => null,
        (error: Error) => error,
      );
      expect(lost?.message).toBe("connection reset");
      expect(await a.status("activities", activity.id)).toBe("created");
      await a.update("activities", activity.id, { duration_sec: 1900 });
      await a.sync();
      const rows = await asServer((tx) =>
        tx.query<{ id: string; duration_sec: number }>("SELECT id, duration_sec FROM training.activities WHERE user_id = $1", [
          user.userId,
        ]),
      );
      expect(rows).toEqual([{ id: activity.id, duration_sec: 1900 }]);
      expect(await a.status("activities", activity.id)).toBe("synced");
      const b = phone();
      await b.sync();
      expect(await b.all("activities")).toHaveLength(1);
    });

    it("create → sync → delete → sync: the deletion reaches the server and the record never comes back to any device", async () => {
      const a = phone();
      const b = phone();
      const plan = await a.create("training_plans", { current_phase: "build", goal_race_date: "2026-10-11" });
      const workout = await a.create("scheduled_workouts", { plan_id: plan.id, date: "2026-03-03", type: "interval", status: "pending" });
      await a.sync();
      await b.sync();
      expect(await b.find("scheduled_workouts", workout.id)).toMatchObject({ plan_id: plan.id, type: "interval" });
      await a.remove("scheduled_workouts", workout.id);
      await a.sync();
      expect(await serverRow("scheduled_workouts", workout.id)).toBeNull();
      await b.sync();
      expect(await b.find("scheduled_workouts", workout.id)).toBeNull();
      await a.sync();
      await b.sync();
      const c = phone();
      await c.sync();
      for (const device of [a, b, c]) expect(await device.find("scheduled_workouts", workout.id)).toBeNull();
      expect(await c.find("training_plans", plan.id)).toMatchObject({ current_phase: "build", goal_race_date: "2026-10-11" });
      expect(watermelonLog).toEqual([]);
    });

    it("create → delete with no sync in between never reaches any device; deleting on the server reaches devices", async () => {
      const a = phone();
      const keep = await a.create("daily_metrics", { date: "2026-03-02", resting_hr: 50 });
      const gone = await a.create("daily_metrics", { date: "2026-03-04", resting_hr: 51 });
      await a.remove("daily_metrics", gone.id);
      await a.sync();
      expect(await serverRow("daily_metrics", gone.id)).toBeNull();
      const b = phone();
      await b.sync();
      expect((await b.all("daily_metrics")).map((row) => row.id)).toEqual([keep.id]);

      await asServer((tx) => tx.query("DELETE FROM training.daily_metrics WHERE id = $1", [keep.id]));
      await a.sync();
      await b.sync();
      expect(await a.find("daily_metrics", keep.id)).toBeNull();
      expect(await b.find("daily_metrics", keep.id)).toBeNull();
    });

    it("server-owned columns are pulled but a push never overwrites them; the user and sync bookkeeping are never taken", async () => {
      const a = phone();
      const activity = await a.create("activities", { source: "manual", type: "run", start_time: Date.now() - DAY, avg_hr: 150 });
      await a.sync();
      await asServer((tx) =>
        tx.query("UPDATE training.activities SET trimp = 101.5, training_load = 101.5, load_method = 'trimp' WHERE id = $1", [activity.id]),
      );
      await a.sync();
      expect(await a.find("activities", activity.id)).toMatchObject({ trimp: 101.5, load_method: "trimp" });
      // The app writes over a computed column locally (a bug, or a tampered client): the server keeps its value.
      await a.update("activities", activity.id, { trimp: 999, training_load: 999, external_id: "forged", rpe: 5 });
      await a.sync();
      expect(await serverRow("activities", activity.id)).toMatchObject({
        trimp: 101.5,
        training_load: 101.5,
        external_id: null,
        rpe: 5,
        user_id: user.userId,
      });
    });

    it("an exact re-push (the client missed the answer: same created record, same lastPulledAt) succeeds once; after another write it conflicts", async () => {
      const { pull, push } = transportFor(h, transport, () => user.accessToken);
      const { timestamp } = await pull({ lastPulledAt: null, schemaVersion: 1, migration: null });
      const id = `rePush${transport}${Date.now().toString(36)}`;
      const record = { id, source: "manual", type: "run", start_time: Date.now() - DAY, duration_sec: 1800, rpe: 4, created_at: 0 };
      const changes = { activities: { created: [record], updated: [], deleted: [] } };
      await push({ changes, lastPulledAt: timestamp });
      await push({ changes, lastPulledAt: timestamp });
      const rows = await asServer((tx) => tx.query("SELECT id, rpe FROM training.activities WHERE user_id = $1", [user.userId]));
      expect(rows).toEqual([{ id, rpe: 4 }]);
      // Another device changes it; the old push replayed now is a real conflict.
      const { timestamp: later } = await pull({ lastPulledAt: timestamp, schemaVersion: 1, migration: null });
      await push({ changes: { activities: { created: [], updated: [{ id, rpe: 7 }], deleted: [] } }, lastPulledAt: later });
      const refused = await push({ changes, lastPulledAt: timestamp }).then(
        () => null,
        (error: Error) => error,
      );
      expect(refused?.message).toMatch(transport === "trpc" ? /changed on the server/ : /409/);
      expect(await serverRow("activities", id)).toMatchObject({ rpe: 7 });
    });

    it("a push listing an app-only local table with nothing in it is accepted; one carrying records is refused (400)", async () => {
      const { pull, push } = transportFor(h, transport, () => user.accessToken);
      const { timestamp } = await pull({ lastPulledAt: null, schemaVersion: 1, migration: null });
      const id = `extraTbl${transport}${Date.now().toString(36)}`;
      const activities = { created: [{ id, source: "manual", type: "run", start_time: Date.now() - DAY }], updated: [], deleted: [] };
      await push({ changes: { activities, app_settings: { created: [], updated: [], deleted: [] } }, lastPulledAt: timestamp });
      expect(await serverRow("activities", id)).toMatchObject({ id, user_id: user.userId });
      const other = `extraTb2${transport}${Date.now().toString(36)}`;
      const refused = await push({
        changes: {
          activities: { created: [{ id: other, source: "manual", type: "run", start_time: Date.now() - DAY }], updated: [], deleted: [] },
          app_settings: { created: [{ id: "s1", theme: "dark" }], updated: [], deleted: [] },
        },
        lastPulledAt: timestamp,
      }).then(
        () => null,
        (error: Error) => error,
      );
      expect(refused?.message).toMatch(transport === "trpc" ? /app_settings/ : /400/);
      expect(await serverRow("activities", other)).toBeNull();
    });

    it("another user's records are never pulled, and pushing their ids is refused with nothing applied", async () => {
      const owner = await mobileUser(h, `${transport}-owner`);
      const ownerPhone = phone(owner);
      const theirs = await ownerPhone.create("activities", { source: "manual", type: "run", start_time: Date.now() - DAY, rpe: 2 });
      await ownerPhone.sync();

      const mine = phone();
      await mine.sync();
      expect(await mine.all("activities")).toEqual([]);

      const { push, pull } = transportFor(h, transport, () => user.accessToken);
      const { timestamp } = await pull({ lastPulledAt: null, schemaVersion: 1, migration: null });
      const attempts = [
        { activities: { created: [{ id: theirs.id, source: "manual", type: "run", start_time: 1, rpe: 9 }], updated: [], deleted: [] } },
        { activities: { created: [], updated: [{ id: theirs.id, rpe: 9 }], deleted: [] } },
        { activities: { created: [], updated: [], deleted: [theirs.id] } },
      ];
      for (const changes of attempts) {
        const refused = await push({ changes, lastPulledAt: timestamp }).then(
          () => null,
          (error: Error) => error,
        );
        expect(refused?.message).toMatch(transport === "trpc" ? /cannot write/ : /403/);
      }
      expect(await serverRow("activities", theirs.id)).toMatchObject({ user_id: owner.userId, rpe: 2 });
      await ownerPhone.sync();
      expect(await ownerPhone.find("activities", theirs.id)).toMatchObject({ rpe: 2 });
    });

    it("daily metrics of one day from two devices converge to one record holding both devices' values", async () => {
      const a = phone();
      const b = phone();
      await a.sync();
      await b.sync();
      const first = await a.create("daily_metrics", { date: "2026-03-05", resting_hr: 49 });
      const second = await b.create("daily_metrics", { date: "2026-03-05", sleep_hours: 6.5 });
      await a.sync();
      await b.sync(); // pulls A's record of that day, then pushes its own: merged onto A's
      await a.sync();
      await b.sync(); // learns that its own record of that day was folded into A's
      const rows = await asServer((tx) =>
        tx.query<{ id: string; resting_hr: number; sleep_hours: number }>(
          "SELECT id, resting_hr, sleep_hours FROM training.daily_metrics WHERE user_id = $1",
          [user.userId],
        ),
      );
      expect(rows).toEqual([{ id: first.id, resting_hr: 49, sleep_hours: 6.5 }]);
      for (const device of [a, b]) {
        expect(await device.all("daily_metrics")).toMatchObject([{ id: first.id, resting_hr: 49, sleep_hours: 6.5 }]);
      }
      expect(first.id).not.toBe(second.id);
      expect(watermelonLog).toEqual([]);
    });

    it("a device creating the day's record keeps the vendor's values and the analysis of that day (merged per column)", async () => {
      const a = phone();
      await a.sync();
      const day = new Date(Date.now() - 2 * DAY).toISOString().slice(0, 10);
      // Garmin's dailies/hrv/sleep for that day, and an activity so the day has a load.
      await asServer(async (tx) => {
        await tx.query(
          "INSERT INTO training.daily_metrics (user_id, date, resting_hr, hrv_rmssd, sleep_hours) VALUES ($1, $2, 48, 71.5, 7.25)",
          [user.userId, day],
        );
        await tx.query(
          `INSERT INTO training.activities (user_id, source, external_id, type, start_time, duration_sec, training_load, load_method)
           VALUES ($1, 'garmin', 'g-merge-1', 'run', $2::date + time '12:00', 3600, 80, 'trimp')`,
          [user.userId, day],
        );
      });
      await a.sync();
      const vendorRow = (await a.all("daily_metrics"))[0] as { id: string };
      const mine = await a.create("daily_metrics", { date: day, soreness_score: 3, stress_score: 20 });
      await a.sync();
      await a.sync();
      const rows = await asServer((tx) => tx.query("SELECT * FROM training.daily_metrics WHERE user_id = $1", [user.userId]));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        id: vendorRow.id,
        resting_hr: 48,
        hrv_rmssd: 71.5,
        sleep_hours: 7.25,
        soreness_score: 3,
        stress_score: 20,
      });
      expect(rows[0]?.acute_load).toBeGreaterThan(0);
      expect(await a.find("daily_metrics", mine.id)).toBeNull();
      expect(await a.find("daily_metrics", vendorRow.id)).toMatchObject({ resting_hr: 48, hrv_rmssd: 71.5, soreness_score: 3 });
    });

    it("a device that last synced before the tombstone purge gets a full replacement pull", async () => {
      const a = phone();
      const b = phone();
      const stays = await a.create("activities", { source: "manual", type: "run", start_time: Date.now() - 2 * DAY });
      const goes = await a.create("activities", { source: "manual", type: "run", start_time: Date.now() - DAY });
      await a.sync();
      await b.sync();
      const unsynced = await b.create("training_plans", { current_phase: "taper" });
      await a.remove("activities", goes.id);
      await a.sync();
      // The daily cleanup, 91 days later: the tombstone is purged and the horizon moves past B's last pull.
      const counts = await tombstoneCleanup.run({
        db: h.t.services.db,
        config: h.t.config,
        jobs: h.t.services.jobs,
        now: new Date(Date.now() + 91 * DAY),
      });
      expect(counts.tombstones).toBeGreaterThan(0);
      try {
        await b.sync();
        expect(await b.find("activities", goes.id)).toBeNull();
        expect(await b.find("activities", stays.id)).not.toBeNull();
        // What B had not pushed yet survives the replacement and is pushed.
        expect(await serverRow("training_plans", unsynced.id)).toMatchObject({ current_phase: "taper" });
      } finally {
        await asServer((tx) => tx.query("UPDATE training.tombstone_horizon SET purged_before = 0"));
      }
    });
  });
}

run("over tRPC (@trpc/client)", "trpc");
run("over REST (/api/sync/pull, /api/sync/push)", "rest");

describe("sync safety on both transports", () => {
  it("a write that commits while a pull runs is in that pull or the next one, never lost", async () => {
    const user = await mobileUser(h, "race");
    const { pull } = transportFor(h, "trpc", () => user.accessToken);
    const first = await pull({ lastPulledAt: null, schemaVersion: 1, migration: null });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let inserted = "";
    // A pipeline transaction writes the user's activity and stays open while the pull arrives.
    const writer = h.t.services.db.transaction(async (tx) => {
      const [row] = await tx.query<{ id: string }>(
        "INSERT INTO training.activities (user_id, source, type, start_time) VALUES ($1, 'garmin', 'run', now()) RETURNING id",
        [user.userId],
      );
      inserted = row?.id ?? "";
      await gate;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const pulling = pull({ lastPulledAt: first.timestamp, schemaVersion: 1, migration: null });
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    await writer;
    const during = await pulling;
    const after = await pull({ lastPulledAt: during.timestamp, schemaVersion: 1, migration: null });
    const seen = [...during.changes.activities.created, ...after.changes.activities.created].map((record) => record.id);
    expect(seen).toContain(inserted);
  });

  it("only the synced tables are accepted; unknown columns are dropped; a bad value is a 400 that applies nothing", async () => {
    const user = await mobileUser(h, "allowlist");
    const post = (changes: unknown) =>
      fetch(`${h.url}/api/sync/push?last_pulled_at=${Date.now()}`, {
        method: "POST",
        headers: { authorization: `Bearer ${user.accessToken}`, "content-type": "application/json" },
        body: JSON.stringify(changes),
      });
    const unknownTable = await post({ users: { created: [{ id: "abcdefghijklmnop", email: "x@y.z" }], updated: [], deleted: [] } });
    expect(unknownTable.status).toBe(400);
    expect(((await unknownTable.json()) as ErrorBody).error.code).toBe("validation_failed");

    const plan = "planAAAAAAAAAAAA";
    const bad = await post({
      training_plans: { created: [{ id: plan, current_phase: "base" }], updated: [], deleted: [] },
      activities: { created: [{ id: "actBADBADBADBAD1", start_time: Date.now(), avg_hr: "150" }], updated: [], deleted: [] },
    });
    expect(bad.status).toBe(400);
    const badBody = (await bad.json()) as ErrorBody;
    expect(badBody.details).toEqual([expect.objectContaining({ field: "json.activities.created.0.avg_hr" })]);
    expect(await serverRow("training_plans", plan)).toBeNull();

    const ok = await post({
      training_plans: {
        created: [
          { id: plan, current_phase: "base", user_id: "usr_other", __proto__x: 1, server_changed_at: 0, _status: "created", _changed: "" },
        ],
        updated: [],
        deleted: [],
      },
    });
    expect(ok.status).toBe(200);
    expect(await serverRow("training_plans", plan)).toMatchObject({ user_id: user.userId, current_phase: "base" });

    const vendor = await post({
      activities: { created: [{ id: "stravaFORGED0001", source: "strava", start_time: Date.now() }], updated: [], deleted: [] },
    });
    expect(vendor.status).toBe(400);
  });

  it("an updated record without a column keeps the server's value (an older app that lacks the column)", async () => {
    const user = await mobileUser(h, "partial");
    const { push, pull } = transportFor(h, "rest", () => user.accessToken);
    const id = "partialRecord001";
    const { timestamp } = await pull({ lastPulledAt: null, schemaVersion: 1, migration: null });
    await push({
      changes: { activities: { created: [{ id, start_time: 1_772_352_000_000, rpe: 4, avg_hr: 140 }], updated: [], deleted: [] } },
      lastPulledAt: timestamp,
    });
    const next = await pull({ lastPulledAt: timestamp, schemaVersion: 1, migration: null });
    await push({ changes: { activities: { created: [], updated: [{ id, avg_hr: 150 }], deleted: [] } }, lastPulledAt: next.timestamp });
    expect(await serverRow("activities", id)).toMatchObject({ rpe: 4, avg_hr: 150, source: "manual" });
  });

  it("401 on both transports without a token or with a forged one", async () => {
    for (const headers of [{}, { authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c3JfeCJ9.c2lnbmF0dXJl" }]) {
      const pull = await fetch(`${h.url}/api/sync/pull?last_pulled_at=null&schema_version=1`, { headers });
      expect(pull.status).toBe(401);
      const push = await fetch(`${h.url}/api/sync/push?last_pulled_at=1`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: "{}",
      });
      expect(push.status).toBe(401);
      const trpcPull = await fetch(
        `${h.url}/trpc/sync.pullChanges?input=${encodeURIComponent(JSON.stringify({ lastPulledAt: null, schemaVersion: 1 }))}`,
        { headers },
      );
      expect(trpcPull.status).toBe(401);
      const trpcPush = await fetch(`${h.url}/trpc/sync.pushChanges`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({ changes: {}, lastPulledAt: 1 }),
      });
      expect(trpcPush.status).toBe(401);
      expect(((await trpcPush.json()) as { error: { data: { platformCode: string } } }).error.data.platformCode).toBe("unauthorized");
    }
  });
});

describe("a push racing a write in flight", () => {
  it("waits for the write to commit, then refuses with 409 because the record changed after the pull", async () => {
    const user = await mobileUser(h, "inflight");
    const device = createDevice(h, "rest", () => user.accessToken);
    const activity = await device.create("activities", { source: "manual", type: "run", start_time: Date.now() - DAY, rpe: 2 });
    await device.sync();
    await device.update("activities", activity.id, { rpe: 9 });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let writer: Promise<void> = Promise.resolve();
    const outcome = device
      .sync({
        beforePush: async () => {
          // The pipeline's transaction updates the record and is still open when the push arrives.
          writer = h.t.services.db.transaction(async (tx) => {
            await tx.query("UPDATE training.activities SET training_load = 12.5 WHERE id = $1", [activity.id]);
            await gate;
          });
          await new Promise((resolve) => setTimeout(resolve, 50));
          setTimeout(release, 300);
        },
      })
      .then(
        () => null,
        (error: Error) => error,
      );
    const failure = await outcome;
    await writer;
    expect(failure?.message).toMatch(/409/);
    expect(await serverRow("activities", activity.id)).toMatchObject({ rpe: 2, training_load: 12.5 });
    await device.sync();
    expect(await serverRow("activities", activity.id)).toMatchObject({ rpe: 9, training_load: 12.5 });
  });
});
