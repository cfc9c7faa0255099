import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzePatternsJob } from "../../src/modules/insights/jobs/analyze-patterns-job.ts";
import { analyzePerformanceJob } from "../../src/modules/insights/jobs/analyze-performance-job.ts";
import { generateSuggestionsJob } from "../../src/modules/insights/jobs/generate-suggestions-job.ts";
import { ingestTelemetryJob } from "../../src/modules/insights/jobs/ingest-telemetry-job.ts";
import { insightsModule } from "../../src/modules/insights/module.ts";
import { type RunningWorker, startWorker } from "../../src/platform/jobs/start-worker.ts";
import { waitFor } from "../jobs/support/wait-for.ts";
import { describeUserAuthChecks } from "../support/auth-checks.ts";
import type { SignedInUser } from "../support/sign-in.ts";
import { batch, createInsightsApp, type EventInput, postEvents, runJob, signIn } from "./support.ts";

let t: Awaited<ReturnType<typeof createInsightsApp>>;
beforeAll(async () => {
  t = await createInsightsApp();
});
afterAll(() => t.close());

// Thursday 5 March 2026, noon UTC; the routine below runs Saturday 28 February to Thursday 5 March.
const NOW = new Date("2026-03-05T12:00:00Z");
const days = ["2026-02-28", "2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"];
const at = (day: string, time: string) => `${day}T${time}:00Z`;

/**
 * One working day: a morning session (read Slack twice, file a Linear issue, open a GitHub pull
 * request) and, after a pause far over 30 minutes, an afternoon in Figma (open a file, edit it
 * five times in a row). 10 events.
 */
function routine(day: string): EventInput[] {
  return [
    { type: "message.read", app: "slack", occurredAt: at(day, "09:00") },
    { type: "message.read", app: "slack", occurredAt: at(day, "09:01") },
    { type: "issue.created", app: "linear", occurredAt: at(day, "09:03") },
    { type: "pull_request.opened", app: "github", occurredAt: at(day, "09:05") },
    { type: "file.opened", app: "figma", occurredAt: at(day, "14:00") },
    ...[10, 11, 12, 13, 14].map((minute) => ({ type: "design.edited", app: "figma", occurredAt: at(day, `14:${minute}`) })),
  ];
}

async function analyse(userId: string) {
  for (const job of [ingestTelemetryJob, analyzePatternsJob, analyzePerformanceJob, generateSuggestionsJob]) await runJob(t, job, userId);
}

const get = (user: SignedInUser, path: string) => t.call("GET", path, { headers: user.headers });

describe("analyses from a known event sequence", () => {
  let user: SignedInUser;

  beforeAll(async () => {
    t.setNow(NOW);
    user = await signIn(t, "routine");
    const events = days.flatMap(routine);
    // Two batches, cut inside day 4's morning session (after its two reads): the second run must
    // complete sequences that started before its watermark, and count nothing twice.
    const cut = 3 * 10 + 2;
    expect((await postEvents(t, user, batch(events.slice(0, cut)))).body.accepted).toBe(cut);
    await analyse(user.userId);
    expect((await postEvents(t, user, batch(events.slice(cut)))).body.accepted).toBe(events.length - cut);
    await analyse(user.userId);
    // A run with nothing new changes no count.
    await analyse(user.userId);
  });
  afterAll(() => t.setNow(null));

  it("patterns: frequent sequences within sessions, hour of day, weekday and streaks", async () => {
    const res = await get(user, "/api/insights/patterns?days=30");
    expect(res.status, res.text).toBe(200);
    const hourOfDay = new Array(24).fill(0);
    hourOfDay[9] = 24;
    hourOfDay[14] = 36;
    expect(res.body).toEqual({
      windowDays: 30,
      sessionGapMinutes: 30,
      analyzedAt: expect.any(String),
      events: 60,
      sequences: [
        { sequence: ["message.read", "issue.created", "pull_request.opened"], occurrences: 6, days: 6 },
        { sequence: ["file.opened", "design.edited"], occurrences: 6, days: 6 },
        { sequence: ["issue.created", "pull_request.opened"], occurrences: 6, days: 6 },
        { sequence: ["message.read", "issue.created"], occurrences: 6, days: 6 },
      ],
      hourOfDay,
      // Monday first: Mon 2, Tue 3, Wed 4, Thu 5 March, no Friday, Sat 28 Feb, Sun 1 Mar.
      weekday: [10, 10, 10, 10, 0, 10, 10],
      streaks: { current: 6, longest: 6, activeDays: 6, lastActiveDay: "2026-03-05" },
    });
    // A shorter window sees only its days (today and yesterday).
    const recent = await get(user, "/api/insights/patterns?days=2");
    expect(recent.body.events).toBe(20);
    expect(recent.body.sequences).toEqual([]);
  });

  it("insights: one row per finding, newest first, paged by cursor, filtered by kind", async () => {
    const all = await get(user, "/api/insights?limit=100");
    expect(all.status, all.text).toBe(200);
    const keys = all.body.data.map((insight: { key: string }) => insight.key);
    expect([...keys].sort()).toEqual(
      [
        "busiest-weekday",
        "peak-hour",
        "sequence:file.opened>design.edited",
        "sequence:issue.created>pull_request.opened",
        "sequence:message.read>issue.created",
        "sequence:message.read>issue.created>pull_request.opened",
        "streak",
      ].sort(),
    );
    const byKey = Object.fromEntries(all.body.data.map((insight: { key: string }) => [insight.key, insight]));
    expect(byKey["peak-hour"]).toMatchObject({ kind: "pattern", data: { hour: 14, events: 36, share: 0.6 } });
    expect(byKey["peak-hour"].title).toBe("Your busiest hour is 14:00–15:00 UTC (60% of activity)");
    expect(byKey.streak.data).toMatchObject({ current: 6, longest: 6 });
    expect(byKey["sequence:message.read>issue.created>pull_request.opened"].data).toMatchObject({ occurrences: 6, days: 6 });
    // Re-runs updated findings in place: one row per key, ids kept.
    const ids = all.body.data.map((insight: { id: string }) => insight.id);
    expect(new Set(ids).size).toBe(ids.length);

    const pages: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const res = await get(user, `/api/insights?limit=3${query}`);
      expect(res.status, res.text).toBe(200);
      pages.push(...res.body.data.map((insight: { id: string }) => insight.id));
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    expect(pages).toEqual(ids);
    const performance = await get(user, "/api/insights?kind=performance");
    expect(performance.body.data).toEqual([]);
    const first = await get(user, "/api/insights?limit=1");
    const wrongFilter = await get(user, `/api/insights?limit=1&kind=performance&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(wrongFilter.status).toBe(400);
    expect((await get(user, "/api/insights?cursor=forged.cursor")).status).toBe(400);
  });

  it("suggestions: integrations with enough evidence, strongest first, each saying why with the counts", async () => {
    const res = await get(user, "/api/integrations/suggestions");
    expect(res.status, res.text).toBe(200);
    expect(res.body.generatedAt).toEqual(expect.any(String));
    // Score: events in the product's apps + ½ per event of its types elsewhere + 5 per sequence occurrence.
    // GitHub: 6 pull requests in GitHub, 6 issue.created (one of its types) in Linear, and all three
    // morning sequences (18 occurrences) go through its types.
    expect(res.body.data.map((s: { integrationId: string; score: number }) => [s.integrationId, s.score])).toEqual([
      ["github", 6 + 6 / 2 + 5 * 18],
      ["slack", 12 + 5 * 12],
      ["figma", 36 + 5 * 6],
    ]);
    const [github, slack, figma] = res.body.data;
    expect(github.evidence).toEqual({
      windowDays: 30,
      matchingEvents: 12,
      appEvents: 6,
      activeDays: 6,
      sequences: 18,
      topEventTypes: [
        { type: "issue.created", events: 6 },
        { type: "pull_request.opened", events: 6 },
      ],
    });
    expect(slack.evidence).toEqual({
      windowDays: 30,
      matchingEvents: 12,
      appEvents: 12,
      activeDays: 6,
      sequences: 12,
      topEventTypes: [{ type: "message.read", events: 12 }],
    });
    expect(slack.reason).toBe(
      "12 related events on 6 of the last 30 days, 12 in Slack itself (most: message.read ×12), and 12 repeated sequences through its event types",
    );
    expect(figma.evidence).toMatchObject({ matchingEvents: 36, activeDays: 6, sequences: 6 });
    expect(figma.evidence.topEventTypes).toEqual([
      { type: "design.edited", events: 30 },
      { type: "file.opened", events: 6 },
    ]);
  });

  it("a dismissed suggestion stays dismissed; a connected integration is no longer suggested", async () => {
    const before = (await get(user, "/api/integrations/suggestions")).body.data;
    const slack = before.find((s: { integrationId: string }) => s.integrationId === "slack");
    const dismissed = await t.call("POST", `/api/integrations/suggestions/${slack.id}/dismiss`, { headers: user.headers });
    expect(dismissed.status, dismissed.text).toBe(200);
    expect(dismissed.body).toEqual({ id: slack.id, dismissedAt: expect.any(String) });
    expect((await t.call("POST", `/api/integrations/suggestions/${slack.id}/dismiss`, { headers: user.headers })).status).toBe(404);
    await runJob(t, generateSuggestionsJob, user.userId);
    const ids = async () =>
      (await get(user, "/api/integrations/suggestions")).body.data.map((s: { integrationId: string }) => s.integrationId);
    expect(await ids()).toEqual(["github", "figma"]);
    const connected = await t.call("POST", "/api/integrations/figma/connect", {
      headers: user.headers,
      body: { config: { teamId: "123456789" }, credentials: { token: "figd_abcdefghijklmnopqrstuvwxyz012345" } },
    });
    expect(connected.status, connected.text).toBe(201);
    expect(await ids()).toEqual(["github"]);
    await runJob(t, generateSuggestionsJob, user.userId);
    expect(await ids()).toEqual(["github"]);
  });

  it("another user sees none of it, and cannot dismiss this user's suggestions", async () => {
    const other = await signIn(t, "routine-other");
    expect((await get(other, "/api/insights")).body.data).toEqual([]);
    const patterns = await get(other, "/api/insights/patterns");
    expect(patterns.body).toMatchObject({ events: 0, sequences: [], analyzedAt: null, streaks: { activeDays: 0 } });
    expect((await get(other, "/api/insights/performance")).body.apps).toEqual([]);
    expect((await get(other, "/api/integrations/suggestions")).body.data).toEqual([]);
    const [row] = await t.services.db.query<{ id: string }>("SELECT id FROM insights.suggestions WHERE user_id = $1 LIMIT 1", [
      user.userId,
    ]);
    expect(row).toBeDefined();
    const res = await t.call("POST", `/api/integrations/suggestions/${row?.id}/dismiss`, { headers: other.headers });
    expect(res.status).toBe(404);
    // A cursor issued to this user means nothing to the other.
    const first = await get(user, "/api/insights?limit=1");
    expect((await get(other, `/api/insights?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`)).status).toBe(400);
  });
});

describe("performance from event properties", () => {
  it("per-app latency percentiles (within 1%) and error rates, and the insights they make", async () => {
    t.setNow(NOW);
    try {
      const user = await signIn(t, "perf");
      const figma = Array.from({ length: 100 }, (_, i) => ({
        type: "file.opened",
        app: "figma",
        occurredAt: at(i < 50 ? "2026-03-04" : "2026-03-05", "10:00"),
        properties: { durationMs: i + 1, status: (i + 1) % 10 === 0 ? 500 : 200 },
      }));
      const jira = Array.from({ length: 30 }, (_, i) => ({
        type: "issue.updated",
        app: "jira",
        occurredAt: at("2026-03-05", "11:00"),
        properties: { latencyMs: 1000 + i * 100, ok: i !== 3 },
      }));
      const noise: EventInput[] = [
        { type: "file.opened", app: "figma", occurredAt: at("2026-03-05", "10:30") },
        { type: "file.opened", occurredAt: at("2026-03-05", "10:30"), properties: { durationMs: 99999 } },
        { type: "file.opened", app: "figma", occurredAt: at("2026-03-05", "10:30"), properties: { note: "no signal" } },
      ];
      // Three batches, analysed after each: daily rows and their sketches merge across runs.
      for (const part of [figma.slice(0, 70), [...figma.slice(70), ...noise], jira]) {
        await postEvents(t, user, batch(part));
        await runJob(t, ingestTelemetryJob, user.userId);
        await runJob(t, analyzePerformanceJob, user.userId);
      }
      const res = await get(user, "/api/insights/performance");
      expect(res.status, res.text).toBe(200);
      // Most samples first.
      expect(res.body.apps.map((app: { app: string }) => app.app)).toEqual(["figma", "jira"]);
      const stats = Object.fromEntries(res.body.apps.map((app: { app: string }) => [app.app, app]));
      expect(stats.figma).toMatchObject({ samples: 100, errors: 10, errorRate: 0.1 });
      expect(stats.figma.latency.count).toBe(100);
      expect(stats.figma.latency.meanMs).toBe(50.5);
      expect(stats.figma.latency.maxMs).toBe(100);
      // Exact order statistics: p50 of 1..100 lies between 50 and 51, p95 near 95, p99 near 99; each within 1%.
      expect(stats.figma.latency.p50Ms).toBeGreaterThanOrEqual(50 * 0.99);
      expect(stats.figma.latency.p50Ms).toBeLessThanOrEqual(51 * 1.01);
      expect(Math.abs(stats.figma.latency.p95Ms - 95) / 95).toBeLessThanOrEqual(0.0105);
      expect(Math.abs(stats.figma.latency.p99Ms - 99) / 99).toBeLessThanOrEqual(0.0105);
      expect(stats.jira).toMatchObject({ samples: 30, errors: 1 });
      expect(stats.jira.latency.p95Ms).toBeGreaterThan(3500);
      const insights = await get(user, "/api/insights?kind=performance");
      expect(insights.body.data.map((insight: { key: string }) => insight.key).sort()).toEqual(["errors:figma", "slow-app:jira"]);
      const figmaErrors = insights.body.data.find((insight: { key: string }) => insight.key === "errors:figma");
      expect(figmaErrors.title).toBe("figma fails often: 10 errors in 100 actions (10%)");
      // A window that starts today leaves out yesterday's rows.
      const today = await get(user, "/api/insights/performance?days=1");
      expect(today.body.apps.find((app: { app: string }) => app.app === "figma").samples).toBe(50);
    } finally {
      t.setNow(null);
    }
  });
});

describe("with a worker: a batch flows through ingest, the analyses and suggestions on its own", () => {
  let worker: RunningWorker | undefined;
  afterAll(async () => {
    await worker?.stop();
  });

  it("insights and suggestions appear without anyone running a job by hand", async () => {
    const user = await signIn(t, "worker");
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const events = [yesterday, today].flatMap((day) =>
      Array.from({ length: 6 }, (_, i) => ({ type: "message.sent", app: "slack", occurredAt: at(day, `00:0${i}`) })),
    );
    expect((await postEvents(t, user, batch(events))).status).toBe(202);
    worker = await startWorker(t.services, [insightsModule]);
    const suggestions = await waitFor("suggestions", async () => {
      const res = await get(user, "/api/integrations/suggestions");
      return res.body.generatedAt ? res.body : null;
    });
    expect(suggestions.data.map((s: { integrationId: string }) => s.integrationId)).toEqual(["slack"]);
    expect((await get(user, "/api/insights/patterns")).body.events).toBe(12);
  });
});

describe("security", () => {
  for (const path of ["/api/insights", "/api/insights/patterns", "/api/insights/performance", "/api/integrations/suggestions"]) {
    describe(`GET ${path}`, () => {
      describeUserAuthChecks({ app: () => t, request: () => ({ method: "GET", path }) });
    });
  }
  describe("POST /api/integrations/suggestions/{id}/dismiss", () => {
    // Unknown to every user: a valid caller gets 404, which is what the checks compare against.
    describeUserAuthChecks({
      app: () => t,
      request: () => ({ method: "POST", path: "/api/integrations/suggestions/sug_doesnotexist000000/dismiss" }),
      okStatus: 404,
    });
  });
});
