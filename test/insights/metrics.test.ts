import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insightsModule } from "../../src/modules/insights/module.ts";
import { recordTelemetry } from "../../src/modules/insights/services/record-telemetry.ts";
import { catalogOf } from "../../src/platform/catalog.ts";
import { collectMetrics } from "../../src/platform/metrics/collect-metrics.ts";
import { withTenant } from "../../src/platform/tenancy/with-tenant.ts";
import type { TestApp } from "../support/test-app.ts";
import { dbKind } from "../support/test-database.ts";
import { batch, createInsightsApp, postEvents, signIn } from "./support.ts";

const catalog = catalogOf([insightsModule]);
const MINUTE = 60_000;
let t: TestApp;
beforeAll(async () => {
  t = await createInsightsApp();
});
afterAll(() => t.close());

const events = (n: number) =>
  batch(Array.from({ length: n }, (_, i) => ({ type: "doc.edited", occurredAt: new Date(Date.now() - i * MINUTE) })));

/** Collects the snapshot of `tick` and returns the insights figures it recorded. */
async function snapshot(tick: Date, app: TestApp = t): Promise<Record<string, number>> {
  const { result } = await collectMetrics(app.services, catalog, tick);
  const [row] = await app.services.db.query<{ metrics: { sources: Record<string, number> } }>(
    "SELECT metrics FROM backplane.metric_snapshots WHERE id = $1",
    [result.snapshotId],
  );
  return row?.metrics.sources ?? {};
}

describe("the insights metric sources in the 6-hourly snapshot", () => {
  it("the next snapshot counts the events stored since the previous one and the users who sent them", async () => {
    const before = await snapshot(new Date(Date.now() - 60 * MINUTE));
    expect(Object.keys(before).sort()).toEqual(["insights.events_ingested", "insights.users_sending_telemetry"]);
    const a = await signIn(t, "metrics-a");
    const b = await signIn(t, "metrics-b");
    const quiet = await signIn(t, "metrics-opted-out");
    expect((await postEvents(t, a, events(7))).body.accepted).toBe(7);
    const resent = events(3);
    expect((await postEvents(t, b, resent)).body.accepted).toBe(3);
    expect((await postEvents(t, b, resent)).body.duplicates).toBe(3); // a resend stores, and counts, nothing
    expect((await postEvents(t, b, events(2))).body.accepted).toBe(2);
    await t.call("PUT", "/api/privacy/settings", { headers: quiet.headers, body: { telemetryEnabled: false } });
    expect((await postEvents(t, quiet, events(4))).body.dropped).toBe(4);
    // The snapshot's window ends at its tick less a lag for transactions still open then (below).
    const next = await snapshot(new Date(Date.now() + 11 * MINUTE));
    expect(next).toEqual({ "insights.events_ingested": 12, "insights.users_sending_telemetry": 2 });
    // And the one after that has nothing new.
    expect(await snapshot(new Date(Date.now() + 6 * 60 * MINUTE))).toEqual({
      "insights.events_ingested": 0,
      "insights.users_sending_telemetry": 0,
    });
  });

  // Only PostgreSQL runs a collection while another transaction is open (PGlite: one connection).
  it.runIf(dbKind === "postgres")(
    "a batch whose transaction began before a snapshot and committed after it is counted in the next one: every stored event exactly once",
    async () => {
      // A database of its own: snapshots in order, none from the test above.
      const own = await createInsightsApp();
      try {
        const take = async (tick: Date) => (await snapshot(tick, own))["insights.events_ingested"] ?? 0;
        let counted = await take(new Date(Date.now() - 60 * MINUTE));
        const user = await signIn(own, "metrics-late");
        expect((await postEvents(own, user, events(2))).body.accepted).toBe(2);
        let release = () => {};
        const released = new Promise<void>((resolve) => {
          release = resolve;
        });
        let inserted = () => {};
        const insertedYet = new Promise<void>((resolve) => {
          inserted = resolve;
        });
        // What POST /api/telemetry/events runs, held open after its insert (received_at = its start).
        const late = withTenant(own.services.db, { orgId: null, userId: user.userId, principal: `user:${user.userId}` }, async (tx) => {
          await recordTelemetry(tx, own.services.jobs, { userId: user.userId, events: events(3).events, now: new Date() });
          inserted();
          await released;
        });
        await insertedYet;
        counted += await take(new Date(Date.now() + 1000)); // the open batch is not visible to this one
        release();
        await late;
        counted += await take(new Date(Date.now() + 6 * 60 * MINUTE));
        const [stored] = await own.services.db.query<{ n: number }>("SELECT count(*)::int AS n FROM insights.telemetry_events");
        expect(stored?.n).toBe(5);
        expect(counted).toBe(5);
      } finally {
        await own.close();
      }
    },
  );
});
