import { afterEach, describe, expect, it } from "vitest";
import { producerOf } from "../../src/platform/jobs/producer-of.ts";
import { queueHealthCheck } from "../../src/platform/jobs/queue-health-check.ts";
import { DEAD_LETTER_QUEUE, JOBS_QUEUE } from "../../src/platform/jobs/queues.ts";
import { type RunningWorker, startWorker } from "../../src/platform/jobs/start-worker.ts";
import { createKey } from "../../src/platform/keys/create-key.ts";
import { createOrg } from "../../src/platform/orgs/create-org.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { fastJobsEnv } from "./support/fast-env.ts";
import testModule, { bulkJob, criticalJob, defaultJob, jobRunsTable, sleepJob, strictJob, switchJob } from "./support/jobs-test-module.ts";
import { waitFor } from "./support/wait-for.ts";

let t: TestApp | null = null;
let worker: RunningWorker | null = null;

afterEach(async () => {
  await worker?.stop(0);
  worker = null;
  await t?.close();
  t = null;
});

async function setup(env: Record<string, string> = {}): Promise<TestApp> {
  t = await createTestApp({ env: { ...fastJobsEnv, ...env }, modules: [testModule], healthChecks: { queue: queueHealthCheck } });
  await t.services.db.exec(jobRunsTable);
  return t;
}

const runs = (app: TestApp, job: string) =>
  app.services.db.query<{ key: string; attempt: number; job_id: string; finished_at: Date | null }>(
    "SELECT key, attempt, job_id, finished_at FROM public.job_runs WHERE job = $1 ORDER BY seq",
    [job],
  );

const jobRows = (app: TestApp, key: string) =>
  app.services.db.query<{ state: string }>("SELECT state::text AS state FROM pgboss.job WHERE name = $1 AND data->'payload'->>'key' = $2", [
    JOBS_QUEUE,
    key,
  ]);

async function platformKey(app: TestApp, scopes: string[]): Promise<string> {
  return (await createKey(app.services.db, { secret: app.config.BACKPLANE_SECRET, name: "ops", orgId: null, scopes, createdBy: "test" }))
    .key;
}

describe("job queue (in process)", () => {
  it("enqueues inside the caller's transaction: rolled back = no job, committed = one job", async () => {
    const app = await setup();
    await expect(
      app.services.db.transaction(async (tx) => {
        await app.services.jobs.enqueue(defaultJob, { key: "rolled-back" }, { tx });
        throw new Error("the data change failed");
      }),
    ).rejects.toThrow("the data change failed");
    expect(await jobRows(app, "rolled-back")).toEqual([]);

    const id = await app.services.db.transaction((tx) => app.services.jobs.enqueue(defaultJob, { key: "committed" }, { tx }));
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await jobRows(app, "committed")).toEqual([{ state: "created" }]);
  });

  it("refuses an invalid payload on enqueue and stores nothing", async () => {
    const app = await setup();
    const error = await app.services.jobs.enqueue(strictJob, { key: "bad", count: -1 }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "validation_failed" });
    expect((error as Error).message).toContain("payload.count");
    expect(await jobRows(app, "bad")).toEqual([]);
  });

  it("takes critical before default before bulk when all three have work waiting", async () => {
    const app = await setup({ JOBS_CONCURRENCY: "1", JOBS_BATCH_SIZE: "1" });
    for (let i = 0; i < 3; i++) {
      await app.services.jobs.enqueue(bulkJob, { key: `bulk-${i}` });
      await app.services.jobs.enqueue(defaultJob, { key: `default-${i}` });
      await app.services.jobs.enqueue(criticalJob, { key: `critical-${i}` });
    }
    worker = await startWorker(app.services, [testModule]);
    const order = await waitFor("nine runs", async () => {
      const rows = await app.services.db.query<{ key: string }>("SELECT key FROM public.job_runs ORDER BY seq");
      return rows.length === 9 ? rows.map((row) => row.key.split("-")[0]) : null;
    });
    expect(order).toEqual(["critical", "critical", "critical", "default", "default", "default", "bulk", "bulk", "bulk"]);
  });

  it("dead-letters after three failures; replay runs it again; a second replay moves nothing", async () => {
    const app = await setup();
    const key = await platformKey(app, ["queue:read", "queue:manage"]);
    const headers = { "x-api-key": key };
    worker = await startWorker(app.services, [testModule]);
    const jobId = await app.services.jobs.enqueue(switchJob, { key: "flaky" });

    const page = await waitFor("the dead letter", async () => {
      const res = await app.call("GET", "/api/v1/queue/dlq?queue=critical", { headers });
      return res.body.items?.length === 1 ? res.body : null;
    });
    expect(page.total).toBe(1);
    const [dead] = page.items;
    expect(dead).toMatchObject({ jobId, job: "test.switch", queue: "critical", payload: { key: "flaky" }, attempts: 3 });
    expect(dead.lastError).toMatchObject({ message: "switch flaky is off" });
    expect(Date.parse(dead.enqueuedAt)).toBeLessThanOrEqual(Date.parse(dead.deadLetteredAt));
    expect((await runs(app, "test.switch")).map((run) => run.attempt)).toEqual([1, 2, 3]);

    await app.services.db.query("INSERT INTO public.job_switches (key, healthy) VALUES ($1, true)", ["flaky"]);
    const replay = await app.call("POST", "/api/v1/queue/dlq/replay", {
      headers: { ...headers, "x-request-id": "replay-1" },
      body: { id: dead.id },
    });
    expect(replay.status, replay.text).toBe(200);
    expect(replay.body.replayed).toBe(1);
    const audit = await app.services.db.query<Record<string, unknown>>(
      "SELECT org_id, actor_type, actor_id, target_type, target_id, request_id, metadata FROM backplane.audit_events WHERE action = 'dlq.replayed'",
    );
    expect(audit).toEqual([
      {
        org_id: null,
        actor_type: "api_key",
        actor_id: expect.stringMatching(/^key_/),
        target_type: "dead_letter",
        target_id: dead.id,
        request_id: "replay-1",
        metadata: { replayed: 1, jobs: [{ deadLetterId: dead.id, jobId: replay.body.jobs[0].jobId, job: "test.switch" }] },
      },
    ]);
    await waitFor("the replayed run to finish", async () => (await runs(app, "test.switch")).find((run) => run.finished_at));
    expect((await runs(app, "test.switch")).length).toBe(4);

    const again = await app.call("POST", "/api/v1/queue/dlq/replay", { headers, body: { id: dead.id } });
    expect(again.body).toEqual({ replayed: 0, jobs: [] });
    // A replay that moved nothing changed nothing, so it leaves no audit row.
    expect(await app.services.db.query("SELECT 1 FROM backplane.audit_events WHERE action = 'dlq.replayed'")).toHaveLength(1);
    const byQueue = await app.call("POST", "/api/v1/queue/dlq/replay", { headers, body: { queue: "critical" } });
    expect(byQueue.body.replayed).toBe(0);
    expect((await app.call("GET", "/api/v1/queue/dlq", { headers })).body.total).toBe(0);
  });

  it("sends a payload that no longer validates straight to the dead-letter queue, without retries", async () => {
    const app = await setup();
    // As if the job's schema had changed since it was enqueued: bypass enqueue's validation.
    await (await producerOf(app.services.jobs)).send(JOBS_QUEUE, {
      job: "test.strict",
      queue: "default",
      payload: { key: "stale", count: "three" },
    });
    worker = await startWorker(app.services, [testModule]);
    const [dead] = await waitFor("the dead letter", () =>
      app.services.db
        .query<{ source_retry_count: number; source_output: { name: string; message: string } }>(
          "SELECT source_retry_count, source_output FROM pgboss.job WHERE name = $1",
          [DEAD_LETTER_QUEUE],
        )
        .then((rows) => (rows.length > 0 ? rows : null)),
    );
    expect(dead?.source_retry_count).toBe(0);
    expect(dead?.source_output).toMatchObject({ name: "InvalidPayload" });
    expect(dead?.source_output.message).toContain("payload.count");
    expect(await runs(app, "test.strict")).toEqual([]);
  });

  it("drains: a job shorter than the drain finishes, a longer one is handed back unspent", async () => {
    const app = await setup();
    worker = await startWorker(app.services, [testModule]);
    await app.services.jobs.enqueue(sleepJob, { key: "short", ms: 300 });
    await app.services.jobs.enqueue(sleepJob, { key: "long", ms: 5_000 });
    await waitFor("both to start", async () => (await runs(app, "test.sleep")).length === 2);
    const stopped = await worker.stop(1);
    worker = null;
    expect(stopped).toEqual({ finished: 1, handedBack: 1, leftToExpiry: 0 });
    const sleeps = await runs(app, "test.sleep");
    expect(sleeps.find((run) => run.key === "short")?.finished_at).toBeTruthy();
    const [long] = await app.services.db.query<{ state: string; retry_count: number }>(
      "SELECT state::text AS state, retry_count FROM pgboss.job WHERE name = $1 AND data->'payload'->>'key' = 'long'",
      [JOBS_QUEUE],
    );
    // Back in the queue for the next worker, with its attempt not used up.
    expect(long).toEqual({ state: "created", retry_count: 0 });
  });

  it("reports metrics per queue, as JSON (scope queue:read) and as Prometheus gauges", async () => {
    const app = await setup();
    await app.services.jobs.enqueue(criticalJob, { key: "m1" });
    await app.services.jobs.enqueue(bulkJob, { key: "m2" });
    const reader = await platformKey(app, ["queue:read"]);
    const res = await app.call("GET", "/api/v1/queue/metrics", { headers: { "x-api-key": reader } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.queues.map((q: { queue: string; priority: number }) => [q.queue, q.priority])).toEqual([
      ["critical", 10],
      ["default", 5],
      ["bulk", 1],
    ]);
    const critical = res.body.queues[0];
    expect(critical.counts).toEqual({ created: 1, retry: 0, active: 0, completed: 0, cancelled: 0, failed: 0 });
    expect(critical.oldestWaitingSeconds).toBeGreaterThanOrEqual(0);
    expect(critical.completed).toEqual({ lastMinute: 0, lastHour: 0 });
    expect(critical.failed).toEqual({ lastMinute: 0, lastHour: 0 });
    expect(critical.deadLetter).toBe(0);

    expect((await app.call("GET", "/api/v1/queue/metrics")).status).toBe(401);
    const writerOnly = await platformKey(app, ["keys:manage"]);
    expect((await app.call("GET", "/api/v1/queue/metrics", { headers: { "x-api-key": writerOnly } })).status).toBe(403);

    expect((await app.call("GET", "/metrics")).status).toBe(401);
    const prom = await app.call("GET", "/metrics", { headers: { authorization: `Bearer ${fastJobsEnv.METRICS_TOKEN}` } });
    expect(prom.status).toBe(200);
    expect(prom.headers.get("content-type")).toContain("text/plain");
    expect(prom.text).toContain('backplane_queue_jobs{queue="critical",state="created"} 1');
    expect(prom.text).toContain('backplane_queue_jobs{queue="bulk",state="created"} 1');
    expect(prom.text).toContain("# TYPE backplane_queue_dead_letter_jobs gauge");
  });

  it("keeps dead letters to platform-wide keys and checks the replay body", async () => {
    const app = await setup();
    const org = await createOrg(app.services.db, { name: "Tenant" });
    const orgKey = (
      await createKey(app.services.db, {
        secret: app.config.BACKPLANE_SECRET,
        name: "tenant",
        orgId: org.id,
        scopes: ["queue:read", "queue:manage"],
        createdBy: "test",
      })
    ).key;
    expect((await app.call("GET", "/api/v1/queue/dlq", { headers: { "x-api-key": orgKey } })).status).toBe(403);
    const reader = await platformKey(app, ["queue:read"]);
    expect((await app.call("POST", "/api/v1/queue/dlq/replay", { headers: { "x-api-key": reader }, body: { queue: "bulk" } })).status).toBe(
      403,
    );
    const manager = await platformKey(app, ["queue:manage"]);
    const both = await app.call("POST", "/api/v1/queue/dlq/replay", {
      headers: { "x-api-key": manager },
      body: { id: crypto.randomUUID(), queue: "bulk" },
    });
    expect(both.status).toBe(400);
    const badQueue = await app.call("POST", "/api/v1/queue/dlq/replay", { headers: { "x-api-key": manager }, body: { queue: "urgent" } });
    expect(badQueue.status).toBe(400);
    const badCursor = await app.call("GET", "/api/v1/queue/dlq?cursor=nope", { headers: { "x-api-key": reader } });
    expect(badCursor.status).toBe(400);
  });

  it("lists dead letters newest first, a page at a time", async () => {
    const app = await setup();
    const boss = await producerOf(app.services.jobs);
    for (let i = 0; i < 5; i++) await boss.send(DEAD_LETTER_QUEUE, { job: "test.default", queue: "default", payload: { key: `d${i}` } });
    const headers = { "x-api-key": await platformKey(app, ["queue:read"]) };
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 5; page++) {
      const res = await app.call("GET", `/api/v1/queue/dlq?limit=2${cursor ? `&cursor=${cursor}` : ""}`, { headers });
      expect(res.status, res.text).toBe(200);
      seen.push(...res.body.items.map((item: { payload: { key: string } }) => item.payload.key));
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(["d4", "d3", "d2", "d1", "d0"]);
  });

  it("adds the queue to /api/v1/healthz", async () => {
    const app = await setup();
    const res = await app.call("GET", "/api/v1/healthz");
    expect(res.status).toBe(200);
    expect(res.body.checks.queue.ok).toBe(true);
  });
});
