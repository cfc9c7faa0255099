import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANALYSIS_DEBOUNCE_SECONDS } from "../../src/modules/insights/analysis/settings.ts";
import { describeUserAuthChecks } from "../support/auth-checks.ts";
import type { TestApp } from "../support/test-app.ts";
import { batch, createInsightsApp, postEvents, queuedJobs, signIn } from "./support.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createInsightsApp();
});
afterAll(() => t.close());

const stored = async (userId: string) =>
  (await t.services.db.query<{ n: number }>("SELECT count(*)::int AS n FROM insights.telemetry_events WHERE user_id = $1", [userId]))[0]?.n;

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

describe("POST /api/telemetry/events", () => {
  it("stores each event with its fields, answers 202 {accepted, duplicates}, and enqueues ingest work in the same transaction", async () => {
    const user = await signIn(t, "tel-store");
    const body = batch([
      { type: "document.edited", occurredAt: minutesAgo(5), app: "notion", properties: { durationMs: 120, nested: { a: [1, 2] } } },
      { type: "message.sent", occurredAt: minutesAgo(4), app: "slack" },
      { type: "app.opened", occurredAt: minutesAgo(3) },
    ]);
    const res = await postEvents(t, user, body);
    expect(res.status, res.text).toBe(202);
    expect(res.body).toEqual({ accepted: 3, duplicates: 0, dropped: 0, telemetryEnabled: true });
    const rows = await t.services.db.query<{ id: string; type: string; app: string | null; occurred_at: Date; properties: unknown }>(
      "SELECT id::text, type, app, occurred_at, properties FROM insights.telemetry_events WHERE user_id = $1 ORDER BY occurred_at",
      [user.userId],
    );
    expect(rows.map((row) => [row.id, row.type, row.app, new Date(row.occurred_at).toISOString(), row.properties])).toEqual(
      body.events.map((event) => [
        event.id,
        event.type,
        event.app ?? null,
        new Date(event.occurredAt).toISOString(),
        event.properties ?? null,
      ]),
    );
    const jobs = await queuedJobs(t, "insights.ingest-telemetry", user.userId);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.singleton_key).toBe(`insights.ingest-telemetry:${user.userId}`);
  });

  it("a batch retried 5 times concurrently stores each event once; the answers add up", async () => {
    const user = await signIn(t, "tel-retry");
    const body = batch(
      Array.from({ length: 200 }, (_, i) => ({ type: `step.${i % 7}`, occurredAt: minutesAgo(60 - i / 10), app: "figma" })),
    );
    const answers = await Promise.all(Array.from({ length: 5 }, () => postEvents(t, user, body)));
    for (const answer of answers) {
      expect(answer.status, answer.text).toBe(202);
      expect(answer.body.accepted + answer.body.duplicates).toBe(200);
    }
    expect(answers.reduce((sum, answer) => sum + answer.body.accepted, 0)).toBe(200);
    expect(await stored(user.userId)).toBe(200);
    const again = await postEvents(t, user, body);
    expect(again.body).toEqual({ accepted: 0, duplicates: 200, dropped: 0, telemetryEnabled: true });
    expect(await stored(user.userId)).toBe(200);
  });

  it("counts an id repeated within one batch as a duplicate; ids are per user (another user's same id is new)", async () => {
    const a = await signIn(t, "tel-dup-a");
    const b = await signIn(t, "tel-dup-b");
    const id = randomUUID();
    const res = await postEvents(
      t,
      a,
      batch([
        { id, type: "x.y", occurredAt: minutesAgo(2) },
        { id, type: "x.y", occurredAt: minutesAgo(2) },
      ]),
    );
    expect(res.body).toMatchObject({ accepted: 1, duplicates: 1 });
    const other = await postEvents(t, b, batch([{ id, type: "x.y", occurredAt: minutesAgo(2) }]));
    expect(other.body).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(await stored(a.userId)).toBe(1);
    expect(await stored(b.userId)).toBe(1);
  });

  it("honours the telemetry opt-out: 200 with every event dropped, nothing stored or enqueued; on again, stored", async () => {
    const user = await signIn(t, "tel-optout");
    const off = await t.call("PUT", "/api/privacy/settings", { body: { telemetryEnabled: false }, headers: user.headers });
    expect(off.status, off.text).toBe(200);
    const body = batch([
      { type: "a.b", occurredAt: minutesAgo(1) },
      { type: "a.c", occurredAt: minutesAgo(1) },
    ]);
    const dropped = await postEvents(t, user, body);
    expect(dropped.status).toBe(200);
    expect(dropped.body).toEqual({ accepted: 0, duplicates: 0, dropped: 2, telemetryEnabled: false });
    expect(await stored(user.userId)).toBe(0);
    expect(await queuedJobs(t, "insights.ingest-telemetry", user.userId)).toHaveLength(0);
    await t.call("PUT", "/api/privacy/settings", { body: { telemetryEnabled: true }, headers: user.headers });
    expect((await postEvents(t, user, body)).body).toEqual({ accepted: 2, duplicates: 0, dropped: 0, telemetryEnabled: true });
  });

  it("takes 500 events; 501 is a 400 and stores nothing; a body over 1 MB is a 413", async () => {
    const user = await signIn(t, "tel-limits");
    const events = (n: number) => batch(Array.from({ length: n }, () => ({ type: "tick", occurredAt: minutesAgo(1) })));
    const tooMany = await postEvents(t, user, events(501));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.code).toBe("validation_failed");
    expect(tooMany.body.error.message).toContain("body.events");
    expect(await stored(user.userId)).toBe(0);
    expect((await postEvents(t, user, events(500))).body.accepted).toBe(500);
    const big = batch([{ type: "tick", occurredAt: minutesAgo(1) }]);
    const padded = JSON.stringify({ ...big, padding: "x".repeat(1024 * 1024) });
    const res = await postEvents(t, user, padded);
    expect(res.status).toBe(413);
    expect(await stored(user.userId)).toBe(500);
  });

  it("refuses malformed events with a 400 naming the field, storing none of the batch", async () => {
    const user = await signIn(t, "tel-invalid");
    const good = { type: "ok.event", occurredAt: minutesAgo(1) };
    const cases: [unknown, string][] = [
      [{ events: [] }, "body.events"],
      [{ events: [{ ...good, id: "not-a-uuid" }] }, "body.events.0.id"],
      [batch([good, { type: "has space", occurredAt: minutesAgo(1) }]), "body.events.1.type"],
      [batch([{ ...good, occurredAt: "yesterday" }]), "body.events.0.occurredAt"],
      [batch([{ ...good, occurredAt: new Date(Date.now() - 366 * 86_400_000).toISOString() }]), "body.events.0.occurredAt"],
      [batch([{ ...good, occurredAt: new Date(Date.now() + 2 * 86_400_000).toISOString() }]), "body.events.0.occurredAt"],
      [batch([{ ...good, properties: { blob: "x".repeat(9000) } }]), "body.events.0.properties"],
      [batch([{ ...good, properties: { note: "nul\u0000byte" } }]), "body.events.0.properties.note"],
      [batch([{ ...good, app: "" }]), "body.events.0.app"],
    ];
    for (const [body, field] of cases) {
      const res = await postEvents(t, user, body);
      expect(res.status, `${field}: ${res.text}`).toBe(400);
      expect(res.body.details?.[0]?.field ?? res.body.error.message, res.text).toContain(field);
    }
    expect((await postEvents(t, user, "{not json")).body.error.code).toBe("invalid_json");
    expect(await stored(user.userId)).toBe(0);
  });

  it("accepts navigator.sendBeacon: a JSON string as text/plain with the session cookie, from this site", async () => {
    const user = await signIn(t, "tel-beacon");
    const body = JSON.stringify(batch([{ type: "page.hidden", occurredAt: minutesAgo(1), app: "web" }]));
    const beacon = await t.call("POST", "/api/telemetry/events", {
      body,
      headers: {
        "content-type": "text/plain;charset=UTF-8",
        cookie: user.cookie,
        origin: "http://localhost",
        "sec-fetch-site": "same-origin",
      },
    });
    expect(beacon.status, beacon.text).toBe(202);
    expect(beacon.body.accepted).toBe(1);
    // The same beacon from another site: a simple request (no preflight) that carries the cookie is refused.
    const forged = await t.call("POST", "/api/telemetry/events", {
      body: JSON.stringify(batch([{ type: "page.hidden", occurredAt: minutesAgo(1) }])),
      headers: { "content-type": "text/plain", cookie: user.cookie, origin: "https://evil.example", "sec-fetch-site": "cross-site" },
    });
    expect(forged.status).toBe(403);
    expect(forged.body.details).toEqual({ reason: "csrf" });
    const form = await t.call("POST", "/api/telemetry/events", {
      body: "events=1",
      headers: { ...user.headers, "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.status).toBe(415);
    expect(await stored(user.userId)).toBe(1);
  });

  it("debounces analysis: however many batches, one ingest run now and one at the next window per user", async () => {
    const user = await signIn(t, "tel-debounce");
    const other = await signIn(t, "tel-debounce-other");
    const slotOf = () => Math.floor(Date.now() / (ANALYSIS_DEBOUNCE_SECONDS * 1000));
    const firstSlot = slotOf();
    for (let i = 0; i < 12; i++) {
      const res = await postEvents(t, user, batch([{ type: "tick", occurredAt: minutesAgo(1) }]));
      expect(res.status).toBe(202);
    }
    await postEvents(t, other, batch([{ type: "tick", occurredAt: minutesAgo(1) }]));
    const straddled = slotOf() !== firstSlot;
    const jobs = await queuedJobs(t, "insights.ingest-telemetry", user.userId);
    // A run at once, then one at the start of the next window for everything after it.
    expect(jobs.length).toBe(straddled ? 3 : 2);
    const [now, later] = jobs.map((job) => new Date(job.start_after).getTime());
    expect(now).toBeLessThanOrEqual(Date.now());
    expect(later).toBeGreaterThan(Date.now());
    expect(later).toBeLessThanOrEqual(Date.now() + (ANALYSIS_DEBOUNCE_SECONDS + 2) * 1000);
    // Another user's batches have their own window.
    expect(await queuedJobs(t, "insights.ingest-telemetry", other.userId)).toHaveLength(1);
  });

  it("a batch of duplicates only enqueues nothing: there is nothing new to analyse", async () => {
    const user = await signIn(t, "tel-dups-only");
    const body = batch([{ type: "tick", occurredAt: minutesAgo(1) }]);
    await postEvents(t, user, body);
    // As if that job had run and been cleaned up: only a new enqueue could bring one back.
    await t.services.db.query("DELETE FROM pgboss.job WHERE data->'payload'->>'userId' = $1", [user.userId]);
    expect((await postEvents(t, user, body)).body).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await queuedJobs(t, "insights.ingest-telemetry", user.userId)).toHaveLength(0);
  });

  describe("security", () => {
    describeUserAuthChecks({
      app: () => t,
      request: () => ({ method: "POST", path: "/api/telemetry/events", body: batch([{ type: "auth.check", occurredAt: minutesAgo(1) }]) }),
      okStatus: 202,
    });
  });
});
