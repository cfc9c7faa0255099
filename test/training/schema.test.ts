import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asService, withTenant } from "../../src/platform/tenancy/with-tenant.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

let t: TestApp;
const userA = "usr_schemaa";
const userB = "usr_schemab";
const tenant = (userId: string) => ({ orgId: null, userId, principal: `user:${userId}` });

beforeAll(async () => {
  t = await createTestApp();
  await t.services.db.query("INSERT INTO backplane.users (id, email) VALUES ($1, $2), ($3, $4)", [
    userA,
    "a@schema.test",
    userB,
    "b@schema.test",
  ]);
});
afterAll(async () => {
  await t?.close();
});

describe("training schema", () => {
  it("server-created rows get 16-character WatermelonDB ids and a change stamp from the user's clock", async () => {
    const rows = await asService(t.services.db, "test", (tx) =>
      tx.query<{ id: string; server_created_at: string; server_changed_at: string }>(
        "INSERT INTO training.activities (user_id, source, type, start_time) VALUES ($1, 'manual', 'run', now()), ($1, 'manual', 'swim', now()) RETURNING id, server_created_at, server_changed_at",
        [userA],
      ),
    );
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.id).toMatch(/^[0-9A-Za-z]{16}$/);
      // One stamp per transaction, close to the wall clock.
      expect(Number(row.server_changed_at)).toBe(Number(rows[0]?.server_changed_at));
      expect(Math.abs(Number(row.server_changed_at) - Date.now())).toBeLessThan(60_000);
      expect(row.server_created_at).toBe(row.server_changed_at);
    }
    const later = await asService(t.services.db, "test", (tx) =>
      tx.query<{ server_changed_at: string; server_created_at: string }>(
        "UPDATE training.activities SET rpe = 5 WHERE id = $1 RETURNING server_changed_at, server_created_at",
        [rows[0]?.id],
      ),
    );
    expect(Number(later[0]?.server_changed_at)).toBeGreaterThan(Number(rows[0]?.server_changed_at));
    expect(later[0]?.server_created_at).toBe(rows[0]?.server_created_at);
  });

  it("stamps stay strictly increasing when the clock row is ahead of the wall clock", async () => {
    const ahead = Date.now() + 3_600_000;
    await asService(t.services.db, "test", (tx) =>
      tx.query("UPDATE training.sync_clocks SET last_ms = $2 WHERE user_id = $1", [userA, ahead]),
    );
    const rows = await asService(t.services.db, "test", (tx) =>
      tx.query<{ server_changed_at: string }>(
        "INSERT INTO training.training_plans (user_id, current_phase) VALUES ($1, 'base') RETURNING server_changed_at",
        [userA],
      ),
    );
    expect(Number(rows[0]?.server_changed_at)).toBe(ahead + 1);
  });

  it("a delete leaves a tombstone stamped after the row; deleting a plan deletes its workouts and tombstones them too", async () => {
    const plan = await withTenant(t.services.db, tenant(userB), async (tx) => {
      const [p] = await tx.query<{ id: string }>(
        "INSERT INTO training.training_plans (user_id, current_phase) VALUES ($1, 'build') RETURNING id",
        [userB],
      );
      await tx.query(
        "INSERT INTO training.scheduled_workouts (id, user_id, plan_id, date, type, status) VALUES ('workoutAAAAAAAAA', $1, $2, '2026-03-01', 'long_run', 'pending')",
        [userB, p?.id],
      );
      return p?.id as string;
    });
    await withTenant(t.services.db, tenant(userB), (tx) => tx.query("DELETE FROM training.training_plans WHERE id = $1", [plan]));
    const tombstones = await withTenant(t.services.db, tenant(userB), (tx) =>
      tx.query<{ table_name: string; record_id: string }>("SELECT table_name, record_id FROM training.sync_tombstones ORDER BY table_name"),
    );
    expect(tombstones).toEqual([
      { table_name: "scheduled_workouts", record_id: "workoutAAAAAAAAA" },
      { table_name: "training_plans", record_id: plan },
    ]);
  });

  it("a workout cannot join another user's plan, and a user's context sees only its own rows", async () => {
    const planOfA = await asService(t.services.db, "test", (tx) =>
      tx.query<{ id: string }>("INSERT INTO training.training_plans (user_id) VALUES ($1) RETURNING id", [userA]),
    );
    await expect(
      withTenant(t.services.db, tenant(userB), (tx) =>
        tx.query("INSERT INTO training.scheduled_workouts (user_id, plan_id, date) VALUES ($1, $2, '2026-03-02')", [userB, planOfA[0]?.id]),
      ),
    ).rejects.toThrow(/foreign key/);
    const seenByB = await withTenant(t.services.db, tenant(userB), (tx) => tx.query("SELECT id FROM training.activities"));
    expect(seenByB).toEqual([]);
    await expect(
      withTenant(t.services.db, tenant(userB), (tx) =>
        tx.query("INSERT INTO training.activities (user_id, start_time) VALUES ($1, now())", [userA]),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it("(user_id, source, external_id) is unique; a row never moves to another user", async () => {
    const insert = () =>
      asService(t.services.db, "test", (tx) =>
        tx.query("INSERT INTO training.activities (user_id, source, external_id, start_time) VALUES ($1, 'strava', '123', now())", [userA]),
      );
    await insert();
    await expect(insert()).rejects.toThrow(/unique|duplicate/);
    await expect(
      asService(t.services.db, "test", (tx) => tx.query("UPDATE training.activities SET user_id = $2 WHERE user_id = $1", [userA, userB])),
    ).rejects.toThrow(/keeps its id and user/);
  });
});

describe("deleting a user", () => {
  it("takes their training rows with them (no tombstones or clock left behind)", async () => {
    const userId = "usr_schemagone";
    await t.services.db.query("INSERT INTO backplane.users (id, email) VALUES ($1, 'gone@schema.test')", [userId]);
    await asService(t.services.db, "test", async (tx) => {
      const [plan] = await tx.query<{ id: string }>("INSERT INTO training.training_plans (user_id) VALUES ($1) RETURNING id", [userId]);
      await tx.query("INSERT INTO training.scheduled_workouts (user_id, plan_id, date) VALUES ($1, $2, '2026-03-01')", [userId, plan?.id]);
      await tx.query("INSERT INTO training.activities (user_id, start_time) VALUES ($1, now())", [userId]);
    });
    await asService(t.services.db, "test", (tx) => tx.query("DELETE FROM backplane.users WHERE id = $1", [userId]));
    const left = await asService(t.services.db, "test", (tx) =>
      tx.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM training.activities WHERE user_id = $1) + (SELECT count(*) FROM training.scheduled_workouts WHERE user_id = $1)
              + (SELECT count(*) FROM training.sync_tombstones WHERE user_id = $1) + (SELECT count(*) FROM training.sync_clocks WHERE user_id = $1) AS n`,
        [userId],
      ),
    );
    expect(Number(left[0]?.n)).toBe(0);
  });
});
