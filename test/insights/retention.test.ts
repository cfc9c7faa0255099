import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzePatternsJob } from "../../src/modules/insights/jobs/analyze-patterns-job.ts";
import { analyzePerformanceJob } from "../../src/modules/insights/jobs/analyze-performance-job.ts";
import { generateSuggestionsJob } from "../../src/modules/insights/jobs/generate-suggestions-job.ts";
import { ingestTelemetryJob } from "../../src/modules/insights/jobs/ingest-telemetry-job.ts";
import { runCleanup } from "../support/run-cleanup.ts";
import { type SignedInUser, signInUser } from "../support/sign-in.ts";
import { batch, createInsightsApp, type EventInput, postEvents, queuedJobs, runJob, signIn } from "./support.ts";

let t: Awaited<ReturnType<typeof createInsightsApp>>;
beforeAll(async () => {
  t = await createInsightsApp();
});
afterAll(() => t.close());

const DAY = 86_400_000;
const get = (user: SignedInUser, path: string) => t.call("GET", path, { headers: user.headers });

/** 00:00 UTC today: days and cutoffs are anchored to it, so no assertion depends on the time of day the test runs. */
const todayUtc = () => Math.floor(Date.now() / DAY) * DAY;

/**
 * A working day `daysAgo` UTC days back, from 02:00 UTC: Slack, Linear and GitHub, then after a
 * five-hour pause slow Figma edits (to 07:14 UTC, the same UTC day). 10 events.
 */
function workday(daysAgo: number): EventInput[] {
  const start = todayUtc() - daysAgo * DAY + 2 * 3_600_000;
  const at = (minutes: number) => new Date(start + minutes * 60_000);
  return [
    { type: "message.read", app: "slack", occurredAt: at(0) },
    { type: "message.read", app: "slack", occurredAt: at(1) },
    { type: "issue.created", app: "linear", occurredAt: at(3) },
    { type: "pull_request.opened", app: "github", occurredAt: at(5) },
    { type: "file.opened", app: "figma", occurredAt: at(300), properties: { durationMs: 1500 } },
    ...[310, 311, 312, 313, 314].map((minute) => ({
      type: "design.edited",
      app: "figma",
      occurredAt: at(minute),
      properties: { durationMs: 1500 },
    })),
  ];
}

describe("retention reaches what the analyses derived from the events", () => {
  it("opted out with 7-day retention, 60 days later: no insight or suggestion from the expired events is served, and the analyses re-run", async () => {
    const user = await signIn(t, "retention-derived");
    expect((await postEvents(t, user, batch([1, 2, 3, 4, 5, 6].flatMap(workday)))).body.accepted).toBe(60);
    for (const job of [ingestTelemetryJob, analyzePatternsJob, analyzePerformanceJob, generateSuggestionsJob])
      await runJob(t, job, user.userId);
    const insights = await get(user, "/api/insights?limit=100");
    expect(insights.body.data.map((insight: { kind: string }) => insight.kind)).toEqual(expect.arrayContaining(["pattern", "performance"]));
    const suggestions = (await get(user, "/api/integrations/suggestions")).body.data;
    expect(suggestions.length).toBeGreaterThan(1);
    // One suggestion dismissed: it stays dismissed, but keeps no counts from expired events.
    const dismissed = suggestions[0];
    expect((await t.call("POST", `/api/integrations/suggestions/${dismissed.id}/dismiss`, { headers: user.headers })).status).toBe(200);

    const settings = await t.call("PUT", "/api/privacy/settings", {
      headers: user.headers,
      body: { telemetryEnabled: false, retentionDays: 7 },
    });
    expect(settings.status, settings.text).toBe(200);
    const queuedBefore: Record<string, number> = {};
    for (const job of [analyzePatternsJob, analyzePerformanceJob])
      queuedBefore[job.name] = (await queuedJobs(t, job.name, user.userId)).length;

    const later = new Date(Date.now() + 60 * DAY);
    t.setNow(later);
    try {
      const back = await signInUser(t, user.email); // 60 days on, the first session has ended
      const counts = await runCleanup(t, "insights.telemetry-retention", later);
      expect(counts).toMatchObject({ events: 60, insights: insights.body.data.length, suggestions: suggestions.length - 1 });
      // At once, before any job has run: nothing computed only from expired events is served.
      expect((await get(back, "/api/insights?limit=100")).body.data).toEqual([]);
      expect((await get(back, "/api/integrations/suggestions")).body.data).toEqual([]);
      // And the analyses are queued for the user, to recompute from what is retained.
      for (const job of [analyzePatternsJob, analyzePerformanceJob]) {
        const queued = await queuedJobs(t, job.name, user.userId);
        expect(queued.length, job.name).toBe((queuedBefore[job.name] ?? 0) + 1);
      }
      for (const job of [analyzePatternsJob, analyzePerformanceJob, generateSuggestionsJob]) await runJob(t, job, user.userId);

      expect((await get(back, "/api/insights?limit=100")).body.data).toEqual([]);
      expect((await get(back, "/api/integrations/suggestions")).body.data).toEqual([]);
      expect((await get(back, "/api/insights/patterns")).body).toMatchObject({ events: 0, sequences: [] });
      expect((await get(back, "/api/insights/performance")).body.apps).toEqual([]);
      const [kept] = await t.services.db.query<{ dismissed_at: Date | null; evidence: { matchingEvents: number; activeDays: number } }>(
        "SELECT dismissed_at, evidence FROM insights.suggestions WHERE id = $1",
        [dismissed.id],
      );
      expect(kept?.dismissed_at).not.toBeNull();
      expect(kept?.evidence).toMatchObject({ matchingEvents: 0, activeDays: 0, sequences: 0 });
      const summaries = await t.services.db.query<{ analysis: string; summary: Record<string, number> | null }>(
        "SELECT analysis, summary FROM insights.analysis_state WHERE user_id = $1 ORDER BY analysis",
        [user.userId],
      );
      expect(summaries).toEqual([
        { analysis: "ingest", summary: null },
        { analysis: "patterns", summary: { events: 0, sequences: 0 } },
        { analysis: "performance", summary: { apps: 0 } },
        { analysis: "suggestions", summary: { suggestions: 0 } },
      ]);
    } finally {
      t.setNow(null);
    }
  });

  it("findings still backed by retained events stay; another user's are untouched", async () => {
    const user = await signIn(t, "retention-kept");
    const other = await signIn(t, "retention-other");
    for (const who of [user, other]) {
      expect((await postEvents(t, who, batch([1, 2, 3, 4, 5, 6].flatMap(workday)))).body.accepted).toBe(60);
      for (const job of [ingestTelemetryJob, analyzePatternsJob, analyzePerformanceJob, generateSuggestionsJob])
        await runJob(t, job, who.userId);
    }
    await t.call("PUT", "/api/privacy/settings", { headers: user.headers, body: { retentionDays: 7 } });
    const otherBefore = (await get(other, "/api/insights?limit=100")).body.data;
    // Noon UTC two days on, the 7-day user's cutoff is noon UTC 5 days back: the two oldest working
    // days (5 and 6 days back, 02:00–07:14) are past retention, the rest is not; nothing of the
    // default (90 days) user is. Day 5's daily aggregates stay until that whole day is past (a
    // day's row goes with its last hour), so its sequence still counts: 5 occurrences on 5 days.
    // Anchored to the UTC day: with "now + 2.5 days" the cutoff fell on day 5 or day 4 depending on
    // the time of day, and the sequence insight came and went with it (failed after 12:00 UTC).
    const later = new Date(todayUtc() + 2.5 * DAY);
    const counts = await runCleanup(t, "insights.telemetry-retention", later);
    expect(counts.events).toBe(20);
    t.setNow(later);
    try {
      for (const job of [analyzePatternsJob, analyzePerformanceJob, generateSuggestionsJob]) await runJob(t, job, user.userId);
      const patterns = (await get(user, "/api/insights/patterns")).body;
      expect(patterns.events).toBe(40);
      const keys = (await get(user, "/api/insights?limit=100")).body.data.map((insight: { key: string }) => insight.key);
      expect(keys).toEqual(expect.arrayContaining(["slow-app:figma", "sequence:file.opened>design.edited"]));
      expect(keys).not.toContain("peak-hour"); // 40 events in the window: under the 50 that time-of-day needs
      const evidence = (await get(user, "/api/integrations/suggestions")).body.data.map(
        (suggestion: { evidence: { matchingEvents: number } }) => suggestion.evidence,
      );
      expect(evidence.length).toBeGreaterThan(0);
      for (const entry of evidence) expect(entry.matchingEvents).toBeLessThanOrEqual(40);
    } finally {
      t.setNow(null);
    }
    expect((await get(other, "/api/insights?limit=100")).body.data).toEqual(otherBefore);
    expect(await queuedJobs(t, analyzePerformanceJob.name, other.userId)).toHaveLength(1); // only the one ingest enqueued
  });
});

describe("POST /api/telemetry/events and the user's retention", () => {
  it("drops events older than the user's retention (counted in `dropped`); stores the rest", async () => {
    const user = await signIn(t, "retention-ingest");
    const ago = (days: number) => new Date(Date.now() - days * DAY);
    const defaults = await postEvents(
      t,
      user,
      batch([
        { type: "a.b", occurredAt: ago(89) },
        { type: "a.b", occurredAt: ago(91) },
      ]),
    );
    expect(defaults.status, defaults.text).toBe(202);
    expect(defaults.body).toEqual({ accepted: 1, duplicates: 0, dropped: 1, telemetryEnabled: true });
    await t.call("PUT", "/api/privacy/settings", { headers: user.headers, body: { retentionDays: 7 } });
    const short = await postEvents(
      t,
      user,
      batch([
        { type: "a.b", occurredAt: ago(6.9) },
        { type: "a.b", occurredAt: ago(7.1) },
      ]),
    );
    expect(short.body).toEqual({ accepted: 1, duplicates: 0, dropped: 1, telemetryEnabled: true });
    const allOld = await postEvents(t, user, batch([{ type: "a.b", occurredAt: ago(30) }]));
    expect(allOld.status).toBe(202);
    expect(allOld.body).toEqual({ accepted: 0, duplicates: 0, dropped: 1, telemetryEnabled: true });
    const stored = await t.services.db.query<{ n: number }>("SELECT count(*)::int AS n FROM insights.telemetry_events WHERE user_id = $1", [
      user.userId,
    ]);
    expect(stored[0]?.n).toBe(2);
    // Beyond any retention (365 days) is still the client's error.
    expect((await postEvents(t, user, batch([{ type: "a.b", occurredAt: ago(366) }]))).status).toBe(400);
  });
});
