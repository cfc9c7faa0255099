import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteExpiredTelemetry } from "../../src/modules/insights/insights-privacy.ts";
import type { Sql } from "../../src/platform/db/database.ts";
import { deleteEndedSessions, deleteOldSignInCodes } from "../../src/platform/identity/identity-privacy.ts";
import { asService } from "../../src/platform/tenancy/with-tenant.ts";
import { signInUser } from "../support/sign-in.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { RATE_LIMITS_ENABLED: "false" } });
}, 60_000);
afterAll(() => t?.close());

const DAY = 86_400_000;
const now = new Date("2031-05-20T02:00:00Z");
const ago = (days: number) => new Date(now.getTime() - days * DAY);

/** The transaction, recording how many rows each statement that deletes removed (its rows, or the `n` it counts). */
function counting(tx: Sql, deletes: number[]): Sql {
  return new Proxy(tx, {
    get(target, property, receiver) {
      if (property !== "query") return Reflect.get(target, property, receiver);
      return async (sql: string, params?: unknown[]) => {
        const rows = await target.query(sql, params);
        if (/\bDELETE FROM\b/i.test(sql)) {
          const counted = (rows[0] as { n?: unknown } | undefined)?.n;
          deletes.push(typeof counted === "number" ? counted : rows.length);
        }
        return rows;
      };
    },
  }) as Sql;
}

describe("the large retention deletes run in bounded statements", () => {
  it("sessions and sign-in codes: at most `batch` rows per DELETE, until none is left", async () => {
    const user = await signInUser(t, `batched-${process.pid}@p.test`);
    for (let i = 0; i < 5; i++) {
      await t.services.db.query(
        `INSERT INTO backplane.sessions (id, user_id, kind, created_at, last_seen_at, expires_at, absolute_expires_at)
         VALUES ($1, $2, 'token', $3, $3, $3, $3)`,
        [`sess_batched${i}`, user.userId, ago(3)],
      );
      await t.services.db.query(
        "INSERT INTO backplane.otp_challenges (id, email, code_digest, created_at, expires_at) VALUES ($1, $2, $3, $4, $4)",
        [`otp_batched${i}`, user.email, "0".repeat(64), ago(3)],
      );
    }
    const deletes: number[] = [];
    const removed = await asService(t.services.db, "test", async (tx) => ({
      sessions: await deleteEndedSessions(counting(tx, deletes), now, 2),
      codes: await deleteOldSignInCodes(counting(tx, deletes), now, 2),
    }));
    // Five planted, and the sign-in's session and code (ended by 2031) make six of each.
    expect(removed).toEqual({ sessions: 6, codes: 6 });
    expect(deletes).toEqual([2, 2, 2, 0, 2, 2, 2, 0]);
    expect(await t.services.db.query("SELECT id FROM backplane.sessions WHERE id LIKE 'sess_batched%'")).toEqual([]);
  });

  it("insights.telemetry-retention: every table in statements of at most `batch` rows", async () => {
    const user = await signInUser(t, `batched-telemetry-${process.pid}@p.test`);
    for (let i = 0; i < 5; i++) {
      const at = ago(100 + i);
      await t.services.db.query(
        "INSERT INTO insights.telemetry_events (user_id, id, type, app, occurred_at) VALUES ($1, gen_random_uuid(), 'a.b', 'x', $2)",
        [user.userId, at],
      );
      await t.services.db.query(
        "INSERT INTO insights.usage_hourly (user_id, hour, app, type, events) VALUES ($1, date_trunc('hour', $2::timestamptz, 'UTC'), 'x', 'a.b', 1)",
        [user.userId, at],
      );
    }
    const deletes: number[] = [];
    const counts = await asService(t.services.db, "test", (tx) => deleteExpiredTelemetry(counting(tx, deletes), t.services.jobs, now, 2));
    expect(counts).toMatchObject({ events: 5, hourly: 5, reanalysed: 1 });
    // Every row went by a DELETE of at most two rows.
    expect(deletes.reduce((sum, rows) => sum + rows, 0)).toBe(10);
    expect(Math.max(...deletes)).toBe(2);
    expect(await t.services.db.query("SELECT 1 FROM insights.telemetry_events WHERE user_id = $1", [user.userId])).toEqual([]);
  });
});
