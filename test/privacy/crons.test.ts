import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableModules } from "../../src/modules/registry.ts";
import { catalogOf } from "../../src/platform/catalog.ts";
import { cleanupTask, metricsTask, tickedTasks } from "../../src/platform/crons/platform-ticks.ts";
import { runCleanups } from "../../src/platform/crons/run-cleanups.ts";
import { runTickOnce } from "../../src/platform/crons/run-tick.ts";
import { newId } from "../../src/platform/ids.ts";
import { jobRegistry } from "../../src/platform/jobs/job-registry.ts";
import { createKey } from "../../src/platform/keys/create-key.ts";
import { defineModule } from "../../src/platform/module.ts";
import { createOrg } from "../../src/platform/orgs/create-org.ts";
import { type AuthFixture, createAuthFixture, describeAuthChecks } from "../support/auth-checks.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

const CRON_SECRET = "cron-secret-for-tests-0123456789";
const windows: { from: Date | null; to: Date }[] = [];
// A module that lands later (insights) fills the "events ingested" figure the same way.
const metricsProbe = defineModule({
  name: "metricsprobe",
  metricSources: [
    {
      name: "metricsprobe.events_ingested",
      collect: async (_tx, window) => {
        windows.push(window);
        return 1234;
      },
    },
  ],
});
const modules = [...availableModules, metricsProbe];
const catalog = catalogOf(modules);

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { CRON_SECRET, LOG_LEVEL: "info" }, modules });
});
afterAll(() => t.close());

const at = (iso: string) => {
  const when = new Date(iso);
  t.services.clock = () => when;
};
const cron = (route: string, secret: string | null = CRON_SECRET) =>
  t.call("GET", route, { headers: secret === null ? {} : { authorization: `Bearer ${secret}` } });
/** What the worker's schedule runs for the tick: the registered job's handler. */
const workerTick = async (job: string) => {
  const definition = jobRegistry(modules).get(job);
  if (!definition) throw new Error(`no job ${job}`);
  await definition.handler(null, { services: t.services, jobId: "test", attempt: 1, signal: new AbortController().signal });
};
const tickRow = async (job: string, tick: string) =>
  (
    await t.services.db.query<{ status: string; triggered_by: string; attempts: number }>(
      "SELECT status, triggered_by, attempts FROM backplane.cron_ticks WHERE job = $1 AND tick = $2",
      [job, tick],
    )
  )[0];

describe("the seed's crons: vercel.json, worker schedules, and the HTTP routes", () => {
  it("vercel.json lists both crons at the seed's schedules, and the worker schedules the same, in UTC", () => {
    const vercel = JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../../vercel.json"), "utf8"));
    expect(vercel.crons).toEqual([
      { path: "/api/privacy/cron/cleanup", schedule: "0 2 * * *" },
      { path: "/api/metrics/collect", schedule: "0 */6 * * *" },
    ]);
    expect(tickedTasks.map((task) => ({ path: task.path, schedule: task.cron }))).toEqual(vercel.crons);
    const crons = jobRegistry(availableModules).crons.filter((entry) => entry.module === "platform");
    expect(crons).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "platform.cleanup", cron: "0 2 * * *", job: "platform.cleanup" }),
        expect.objectContaining({ name: "platform.metrics-collect", cron: "0 */6 * * *", job: "platform.metrics-collect" }),
      ]),
    );
    for (const entry of crons) expect(entry.timeZone ?? "UTC").toBe("UTC");
  });

  it("401 without the bearer, with a wrong or another-scheme one, and when CRON_SECRET is not configured; nothing runs", async () => {
    at("2030-01-01T02:00:05Z");
    try {
      for (const route of [cleanupTask.path, metricsTask.path]) {
        for (const secret of [null, "wrong-secret-0123456789", `${CRON_SECRET}x`, CRON_SECRET.slice(0, -1)]) {
          const res = await cron(route, secret);
          expect(res.status, `${route} ${secret}`).toBe(401);
          expect(res.body.error.code).toBe("unauthorized");
        }
        const basic = await t.call("GET", route, {
          headers: { authorization: `Basic ${Buffer.from(`x:${CRON_SECRET}`).toString("base64")}` },
        });
        expect(basic.status).toBe(401);
        expect((await t.call("GET", route, { headers: { "x-api-key": CRON_SECRET } })).status).toBe(401);
        expect((await t.call("POST", route, { headers: { authorization: `Bearer ${CRON_SECRET}` } })).status).toBe(405);
      }
      const config = t.services.config as { CRON_SECRET?: string };
      config.CRON_SECRET = undefined;
      try {
        expect((await cron(cleanupTask.path)).status).toBe(401);
      } finally {
        config.CRON_SECRET = CRON_SECRET;
      }
      expect(await t.services.db.query("SELECT 1 FROM backplane.cron_ticks WHERE tick = '2030-01-01T02:00:00Z'")).toEqual([]);
      expect(t.logs.join("\n")).not.toContain(CRON_SECRET);
    } finally {
      t.services.clock = undefined;
    }
  });
});

describe("GET /api/privacy/cron/cleanup: every registered cleanup, with the tick's time", () => {
  it("removes exactly what is past retention at the tick, and nothing a second younger", async () => {
    // A tick long before the rows the other tests write, so only the rows planted here are old enough.
    const tick = new Date("2020-06-01T02:00:00Z");
    const ago = (ms: number) => new Date(tick.getTime() - ms);
    const day = 86_400_000;
    const db = t.services.db;
    const org = await createOrg(db, { name: "retention" });
    const user = newId("usr");
    await db.query("INSERT INTO backplane.users (id, email) VALUES ($1, $2)", [user, `${user}@example.test`]);
    const planted: Record<string, [old: string, young: string]> = {};
    const plant = async (name: string, insert: (id: string, when: Date) => Promise<unknown>, age: number) => {
      const old = `${name}-old-${newId("x")}`;
      const young = `${name}-young-${newId("x")}`;
      await insert(old, ago(age + 1000));
      await insert(young, ago(age - 1000));
      planted[name] = [old, young];
    };
    const session = (id: string, when: Date) =>
      db.query(
        `INSERT INTO backplane.sessions (id, user_id, kind, created_at, last_seen_at, expires_at, absolute_expires_at)
         VALUES ($1, $2, 'token', $3, $3, $3, $3::timestamptz + interval '30 days')`,
        [`sess_${id.replace(/[^a-z0-9]/g, "")}`, user, when],
      );
    await plant("sessions", session, day);
    await plant(
      "codes",
      (id, when) =>
        db.query("INSERT INTO backplane.otp_challenges (id, email, code_digest, created_at, expires_at) VALUES ($1, $2, $3, $4, $4)", [
          `otp_${id.replace(/[^a-z0-9]/g, "")}`,
          "someone@example.test",
          "0".repeat(64),
          when,
        ]),
      day,
    );
    await plant(
      "idempotency",
      (id, when) =>
        db.query(
          `INSERT INTO backplane.idempotency_keys (scope, method, route, key, fingerprint, state, locked_until, claim_id, expires_at)
           VALUES ('test', 'POST', '/x', $1, 'f', 'completed', $2, gen_random_uuid(), $2::timestamptz + interval '1 second')`,
          [id, when],
        ),
      // Deleted once expires_at <= the tick: planted here with expiry one second after the given time.
      1000,
    );
    await plant(
      "webhooks",
      (id, when) =>
        db.query(
          "INSERT INTO backplane.webhook_events (id, org_id, source, external_id, content_type, body, job, received_at) VALUES ($1, $2, 'test', $3, 'application/json', '\\x7b7d', 'x', $4)",
          [newId("whe"), org.id, id, when],
        ),
      t.config.WEBHOOK_RETENTION_DAYS * day,
    );
    await plant(
      "logs",
      (id, when) =>
        db.query("INSERT INTO workflows.logs (id, org_id, level, message, created_at) VALUES ($1, $2, 'info', $3, $4)", [
          newId("log"),
          org.id,
          id,
          when,
        ]),
      t.config.LOG_RETENTION_DAYS * day,
    );
    await plant(
      "vitals",
      (id, when) =>
        db.query("INSERT INTO community.web_vitals (name, value, metric_id, page, recorded_at) VALUES ('LCP', 1, $1, '/', $2)", [id, when]),
      t.config.WEB_VITALS_RETENTION_DAYS * day,
    );
    await plant(
      "audit",
      (id, when) =>
        db.query(
          "INSERT INTO backplane.audit_events (id, org_id, actor_type, actor_id, action, request_id, occurred_at) VALUES ($1, $2, 'service', 'test', 'retention.probe', $3, $4)",
          [newId("aud"), org.id, id, when],
        ),
      t.config.AUDIT_RETENTION_DAYS * day,
    );

    at("2020-06-01T02:00:42Z"); // Vercel calls within the hour; the cutoffs are the tick's
    try {
      const res = await cron(cleanupTask.path);
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ job: "platform.cleanup", tick: tick.toISOString(), ran: true, status: "done", triggeredBy: "http" });
      const counts = res.body.result.cleanups;
      expect(Object.keys(counts).sort()).toEqual(catalog.cleanups.map((cleanup) => cleanup.name).sort());
      expect(counts).toMatchObject({
        "platform.sessions": { sessions: 1 },
        "platform.sign-in-codes": { codes: 1 },
        "platform.idempotency-keys": { keys: 1 },
        "platform.webhook-events": { events: 1 },
        "workflows.logs": { logs: 1 },
        "community.web-vitals": { measurements: 1 },
        "platform.audit-events": { events: 1 },
      });
    } finally {
      t.services.clock = undefined;
    }
    const left = async (sql: string, ids: string[]) => (await db.query<{ id: string }>(sql, [ids])).map((row) => row.id).sort();
    const keep = (name: string) => [planted[name]?.[1] as string];
    const both = (name: string) => planted[name] as string[];
    const strip = (ids: string[], prefix: string) => ids.map((id) => `${prefix}_${id.replace(/[^a-z0-9]/g, "")}`);
    expect(await left("SELECT id FROM backplane.sessions WHERE id = ANY($1)", strip(both("sessions"), "sess"))).toEqual(
      strip(keep("sessions"), "sess"),
    );
    expect(await left("SELECT id FROM backplane.otp_challenges WHERE id = ANY($1)", strip(both("codes"), "otp"))).toEqual(
      strip(keep("codes"), "otp"),
    );
    expect(await left("SELECT key AS id FROM backplane.idempotency_keys WHERE key = ANY($1)", both("idempotency"))).toEqual(
      keep("idempotency"),
    );
    expect(await left("SELECT external_id AS id FROM backplane.webhook_events WHERE external_id = ANY($1)", both("webhooks"))).toEqual(
      keep("webhooks"),
    );
    expect(await left("SELECT message AS id FROM workflows.logs WHERE message = ANY($1)", both("logs"))).toEqual(keep("logs"));
    expect(await left("SELECT metric_id AS id FROM community.web_vitals WHERE metric_id = ANY($1)", both("vitals"))).toEqual(
      keep("vitals"),
    );
    expect(await left("SELECT request_id AS id FROM backplane.audit_events WHERE request_id = ANY($1)", both("audit"))).toEqual(
      keep("audit"),
    );
  });

  it("one failing cleanup does not stop the others; the tick is marked failed and may be claimed again, a finished one never", async () => {
    const failing = catalogOf([
      defineModule({
        name: "flaky",
        cleanups: [
          { name: "flaky.broken", run: async () => Promise.reject(new Error("disk on fire")) },
          { name: "flaky.fine", run: async ({ now }) => ({ seen: now.getUTCHours() }) },
        ],
      }),
    ]);
    const run = await runCleanups(
      t.services,
      { ...failing, cleanups: failing.cleanups.filter((c) => c.module === "flaky") },
      new Date("2020-01-01T02:00:00Z"),
    );
    expect(run).toEqual({
      ok: false,
      result: { now: "2020-01-01T02:00:00.000Z", cleanups: { "flaky.broken": { error: "disk on fire" }, "flaky.fine": { seen: 2 } } },
    });

    let attempt = 0;
    const flakyTask = {
      job: "test.flaky",
      cron: "0 2 * * *",
      path: "/none",
      run: async () => ({ ok: ++attempt > 1, result: { attempt } }),
    };
    at("2020-01-01T02:00:10Z");
    try {
      const first = await runTickOnce(t.services, catalog, flakyTask, "worker");
      expect(first).toMatchObject({ ran: true, status: "failed", tick: "2020-01-01T02:00:00.000Z" });
      const retried = await runTickOnce(t.services, catalog, flakyTask, "http");
      expect(retried).toMatchObject({ ran: true, status: "done", triggeredBy: "http", result: { attempt: 2 } });
      const again = await runTickOnce(t.services, catalog, flakyTask, "worker");
      expect(again).toMatchObject({ ran: false, status: "done", triggeredBy: "http" });
      expect(attempt).toBe(2);
      expect(await tickRow("test.flaky", "2020-01-01T02:00:00Z")).toMatchObject({ attempts: 2, status: "done" });
    } finally {
      t.services.clock = undefined;
    }
  });
});

describe("a tick runs once however it is triggered", () => {
  it("HTTP first, then the worker's schedule: the worker finds it done", async () => {
    at("2031-03-01T02:00:03Z");
    try {
      const http = await cron(cleanupTask.path);
      expect(http.body).toMatchObject({ ran: true, status: "done", triggeredBy: "http" });
      await workerTick("platform.cleanup");
      expect(await tickRow("platform.cleanup", "2031-03-01T02:00:00Z")).toEqual({ status: "done", triggered_by: "http", attempts: 1 });
      const again = await cron(cleanupTask.path);
      expect(again.body).toMatchObject({ ran: false, status: "done", triggeredBy: "http", tick: "2031-03-01T02:00:00.000Z" });
    } finally {
      t.services.clock = undefined;
    }
  });

  it("the worker first, then HTTP (later within the tick); and both at once: one snapshot per tick", async () => {
    at("2031-03-01T06:00:01Z");
    try {
      await workerTick("platform.metrics-collect");
      at("2031-03-01T06:47:00Z");
      const late = await cron(metricsTask.path);
      expect(late.body).toMatchObject({ ran: false, status: "done", triggeredBy: "worker", tick: "2031-03-01T06:00:00.000Z" });

      at("2031-03-01T12:00:00Z");
      const [http] = await Promise.all([
        cron(metricsTask.path),
        workerTick("platform.metrics-collect"),
        workerTick("platform.metrics-collect"),
      ]);
      expect(http?.status).toBe(200);
      expect(await tickRow("platform.metrics-collect", "2031-03-01T12:00:00Z")).toMatchObject({ status: "done", attempts: 1 });
      const snapshots = await t.services.db.query<{ tick: Date }>(
        "SELECT tick FROM backplane.metric_snapshots WHERE tick >= '2031-03-01T06:00:00Z' AND tick <= '2031-03-01T12:00:00Z' ORDER BY tick",
      );
      expect(snapshots.map((row) => new Date(row.tick).toISOString())).toEqual(["2031-03-01T06:00:00.000Z", "2031-03-01T12:00:00.000Z"]);
    } finally {
      t.services.clock = undefined;
    }
  });
});

describe("GET /api/metrics", () => {
  let fixture: AuthFixture;
  beforeAll(async () => {
    fixture = await createAuthFixture(t, ["metrics:read"], "queue:read", { platformWide: true });
  });

  it("lists the snapshots newest first: active users, queue depths, table sizes and the modules' figures for their window", async () => {
    at("2032-01-01T00:00:09Z");
    try {
      expect((await cron(metricsTask.path)).body).toMatchObject({ ran: true, status: "done" });
    } finally {
      t.services.clock = undefined;
    }
    const res = await t.call("GET", "/api/metrics?limit=2", { headers: { "x-api-key": fixture.good } });
    expect(res.status, res.text).toBe(200);
    const [newest, previous] = res.body.data;
    expect(newest.tick).toBe("2032-01-01T00:00:00.000Z");
    expect(newest.windowFrom).toBe(previous.tick);
    expect(windows.at(-1)).toEqual({ from: new Date(previous.tick), to: new Date(newest.tick) });
    expect(newest.metrics.sources).toMatchObject({ "metricsprobe.events_ingested": 1234 });
    expect(Object.keys(newest.metrics.sources).sort()).toEqual(catalog.metricSources.map((source) => source.name).sort());
    expect(newest.metrics.activeUsers).toEqual({ last24h: expect.any(Number), last30d: expect.any(Number) });
    expect(Object.keys(newest.metrics.queues).sort()).toEqual(["bulk", "critical", "default"]);
    expect(newest.metrics.tables["backplane.users"]).toBeGreaterThan(0);
    expect(newest.metrics.tables["pgboss.job"]).toBeGreaterThan(0);
    expect(newest.metrics.databaseBytes).toBeGreaterThan(newest.metrics.tables["backplane.users"]);
    const next = await t.call("GET", `/api/metrics?limit=2&before=${res.body.nextBefore}`, { headers: { "x-api-key": fixture.good } });
    expect(next.body.data[0].id).not.toBe(newest.id);
    expect(Number(next.body.data[0].id)).toBeLessThan(Number(previous.id));
  });

  it("403 for a key bound to an org even with metrics:read", async () => {
    const org = await createOrg(t.services.db, { name: "metrics org" });
    const bound = await createKey(t.services.db, {
      secret: t.config.BACKPLANE_SECRET,
      name: "bound",
      orgId: org.id,
      scopes: ["metrics:read"],
      createdBy: "test",
    });
    expect((await t.call("GET", "/api/metrics", { headers: { "x-api-key": bound.key } })).status).toBe(403);
  });

  describeAuthChecks({
    app: () => t,
    fixture: () => fixture,
    request: () => ({ method: "GET", path: "/api/metrics" }),
    otherOrgStatus: 403,
  });
});
