import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzePatternsJob } from "../../src/modules/insights/jobs/analyze-patterns-job.ts";
import { analyzePerformanceJob } from "../../src/modules/insights/jobs/analyze-performance-job.ts";
import { generateSuggestionsJob } from "../../src/modules/insights/jobs/generate-suggestions-job.ts";
import { ingestTelemetryJob } from "../../src/modules/insights/jobs/ingest-telemetry-job.ts";
import { availableModules } from "../../src/modules/registry.ts";
import { type RunningWorker, startWorker } from "../../src/platform/jobs/start-worker.ts";
import { findUserResidue } from "../../src/platform/privacy/user-data-scan.ts";
import { fastJobsEnv } from "../jobs/support/fast-env.ts";
import { runCleanup } from "../support/run-cleanup.ts";
import type { SignedInUser } from "../support/sign-in.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { batch, postEvents, runJob, signIn } from "./support.ts";

let t: TestApp;
let worker: RunningWorker;
beforeAll(async () => {
  t = await createTestApp({ env: { ...fastJobsEnv, RATE_LIMITS_ENABLED: "false" } });
  worker = await startWorker(t.services, availableModules);
}, 60_000);
afterAll(async () => {
  await worker?.stop(0);
  await t?.close();
});

const TOKEN = "xoxb-9999999999-privacyprivacyprivacy";

async function until<T>(what: string, probe: () => Promise<T | null | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** A user with rows in every insights table, each event carrying a marker only they have. */
async function seed(label: string): Promise<SignedInUser & { marker: string }> {
  const user = await signIn(t, label);
  const marker = `marker-${label}-${Math.random().toString(36).slice(2)}`;
  const today = new Date().toISOString().slice(0, 10);
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const events = [yesterday, today].flatMap((day) =>
    Array.from({ length: 12 }, (_, i) => `00:${String(i + 10)}`).map((time, i) => ({
      type: i % 2 ? "message.sent" : "issue.created",
      app: i % 2 ? "slack" : "linear",
      occurredAt: `${day}T${time}:00Z`,
      properties: { marker, durationMs: 10 * (i + 1), status: i === 5 ? 500 : 200 },
    })),
  );
  expect((await postEvents(t, user, batch(events))).status).toBe(202);
  for (const job of [ingestTelemetryJob, analyzePatternsJob, analyzePerformanceJob, generateSuggestionsJob])
    await runJob(t, job, user.userId);
  await t.call("PUT", "/api/privacy/settings", { headers: user.headers, body: { retentionDays: 30 } });
  const connected = await t.call("POST", "/api/integrations/slack/connect", {
    headers: user.headers,
    body: { config: { defaultChannel: `#${label}` }, credentials: { botToken: TOKEN } },
  });
  expect(connected.status, connected.text).toBe(201);
  const tables = await t.services.db.query<{ t: string; n: number }>(
    `SELECT 'insights' AS t, count(*)::int AS n FROM insights.insights WHERE user_id = $1
     UNION ALL SELECT 'suggestions', count(*)::int FROM insights.suggestions WHERE user_id = $1
     UNION ALL SELECT 'sequences', count(*)::int FROM insights.sequence_daily WHERE user_id = $1
     UNION ALL SELECT 'performance', count(*)::int FROM insights.app_performance_daily WHERE user_id = $1`,
    [user.userId],
  );
  for (const row of tables) expect(row.n, `${label} ${row.t}`).toBeGreaterThan(0);
  return { ...user, marker };
}

describe("privacy: the insights module's exporter, eraser and retention cleanup", () => {
  it("the export bundle holds this user's telemetry, findings, settings and connections, none of another user's, and no credential", async () => {
    const a = await seed("exp-a");
    const b = await seed("exp-b");
    const started = await t.call("POST", "/api/privacy/export", { headers: a.headers });
    expect(started.status, started.text).toBe(202);
    const ready = await until("the export", async () => {
      const res = await t.call("GET", `/api/privacy/export/${started.body.id}`, { headers: a.headers });
      return res.body.status === "pending" ? null : res.body;
    });
    expect(ready.status).toBe("ready");
    const download = await t.call("GET", ready.downloadUrl, { headers: a.headers });
    const mine = download.body.modules.insights;
    expect(mine.telemetryEvents).toHaveLength(24);
    expect(mine.telemetryEvents.every((event: { properties: { marker: string } }) => event.properties.marker === a.marker)).toBe(true);
    expect(mine.privacySettings).toMatchObject({ telemetry_enabled: true, retention_days: 30 });
    expect(mine.integrations).toEqual([expect.objectContaining({ integration_id: "slack", config: { defaultChannel: "#exp-a" } })]);
    expect(mine.insights.length).toBeGreaterThan(0);
    expect(mine.suggestions.length).toBeGreaterThan(0);
    expect(mine.usageHourly.length).toBeGreaterThan(0);
    expect(mine.appPerformanceDaily.length).toBeGreaterThan(0);
    for (const foreign of [b.userId, b.email, b.marker, "#exp-b"]) expect(download.text).not.toContain(foreign);
    expect(download.text).not.toContain(TOKEN);
    expect(download.text).not.toContain('"credentials"');
  });

  it("erasure leaves no row of the user in any insights table (catalog scan), and the other user's data untouched", async () => {
    const c = await seed("del-c");
    const d = await seed("del-d");
    const before = await findUserResidue(t.services.db, { userId: c.userId, email: c.email }, "shallow");
    expect(before.map((entry) => entry.table)).toEqual(
      expect.arrayContaining(['"insights"."telemetry_events"', '"insights"."integration_connections"', '"insights"."suggestions"']),
    );
    const dBefore = await findUserResidue(t.services.db, { userId: d.userId, email: d.email }, "deep");
    const asked = await t.call("POST", "/api/privacy/delete", { headers: c.headers, body: { confirmEmail: c.email } });
    expect(asked.status, asked.text).toBe(202);
    const done = await until("the erasure", async () => {
      const [row] = await t.services.db.query<{ status: string; counts: Record<string, Record<string, number>> }>(
        "SELECT status, counts FROM backplane.privacy_deletions WHERE id = $1",
        [asked.body.id],
      );
      return row?.status === "done" ? row : null;
    });
    expect(done.counts.insights).toMatchObject({ telemetry_events: 24, integration_connections: 1, privacy_settings: 1 });
    expect(await findUserResidue(t.services.db, { userId: c.userId, email: c.email }, "deep")).toEqual([]);
    expect(await findUserResidue(t.services.db, { userId: d.userId, email: d.email }, "deep")).toEqual(dBefore);
  });

  it("the retention cleanup removes exactly the telemetry past each user's retention, and the aggregates made from it", async () => {
    const now = new Date("2026-06-15T02:00:00Z");
    const at = (days: number) => new Date(now.getTime() - days * 86_400_000);
    // Inserted directly, as of `now`: the ingest route checks times against the wall clock.
    const users = await Promise.all(["ret-7", "ret-default", "ret-365"].map((label) => signIn(t, label)));
    const [short, usual, long] = users as [SignedInUser, SignedInUser, SignedInUser];
    await t.services.db.query("INSERT INTO insights.privacy_settings (user_id, retention_days) VALUES ($1, 7), ($2, 365)", [
      short.userId,
      long.userId,
    ]);
    const ages = [1, 6.9, 7.1, 30, 89.9, 90.1, 200, 364.9, 365.1];
    for (const user of users) {
      for (const age of ages) {
        const occurred = at(age);
        await t.services.db.query(
          "INSERT INTO insights.telemetry_events (user_id, id, type, occurred_at) VALUES ($1, gen_random_uuid(), 'ret.check', $2)",
          [user.userId, occurred],
        );
        await t.services.db.query(
          "INSERT INTO insights.usage_hourly (user_id, hour, type, events) VALUES ($1, date_trunc('hour', $2::timestamptz, 'UTC'), 'ret.check', 1)",
          [user.userId, occurred],
        );
        await t.services.db.query(
          "INSERT INTO insights.sequence_daily (user_id, day, sequence, occurrences) VALUES ($1, ($2::timestamptz AT TIME ZONE 'UTC')::date, '{a,b}', 1)",
          [user.userId, occurred],
        );
        await t.services.db.query(
          `INSERT INTO insights.app_performance_daily (user_id, app, day, samples, errors, latency_count)
           VALUES ($1, 'ret', ($2::timestamptz AT TIME ZONE 'UTC')::date, 1, 0, 0)`,
          [user.userId, occurred],
        );
      }
    }
    const counts = await runCleanup(t, "insights.telemetry-retention", now);
    const left = async (user: SignedInUser, table: string, column: string) =>
      (
        await t.services.db.query<{ age: number }>(
          `SELECT round((extract(epoch FROM ($2::timestamptz - ${column}::timestamptz)) / 86400)::numeric, 1)::float8 AS age
           FROM insights.${table} WHERE user_id = $1 ORDER BY 1`,
          [user.userId, now],
        )
      ).map((row) => row.age);
    expect(await left(short, "telemetry_events", "occurred_at")).toEqual([1, 6.9]);
    expect(await left(usual, "telemetry_events", "occurred_at")).toEqual([1, 6.9, 7.1, 30, 89.9]);
    expect(await left(long, "telemetry_events", "occurred_at")).toEqual([1, 6.9, 7.1, 30, 89.9, 90.1, 200, 364.9]);
    expect(counts.events).toBe(7 + 4 + 1);
    // Aggregates by hour follow the hour they start; by day, a day goes once it is wholly past retention.
    expect((await left(short, "usage_hourly", "hour")).length).toBe(2);
    expect((await left(usual, "usage_hourly", "hour")).length).toBe(5);
    expect((await left(long, "sequence_daily", "day")).length).toBe(8);
    // The 7-day user's cutoff is 8 June 02:00: 7 June (the event 7.1 days back) is wholly past and goes,
    // 8 June (6.9 days back) is only partly past and stays.
    expect((await left(short, "sequence_daily", "day")).length).toBe(2);
    // The per-app performance days go the same way.
    expect((await left(short, "app_performance_daily", "day")).length).toBe(2);
    expect((await left(usual, "app_performance_daily", "day")).length).toBe(5);
    expect((await left(long, "app_performance_daily", "day")).length).toBe(8);
    expect(counts.performanceDays).toBe(counts.sequenceDays);
    expect(counts.performanceDays).toBe(7 + 4 + 1);
    // Run again: nothing left to remove.
    expect(await runCleanup(t, "insights.telemetry-retention", now)).toEqual({
      events: 0,
      hourly: 0,
      sequenceDays: 0,
      performanceDays: 0,
      insights: 0,
      suggestions: 0,
      summaries: 0,
      reanalysed: 0,
    });
  });
});
