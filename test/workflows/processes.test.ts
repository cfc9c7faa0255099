import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../jobs/support/wait-for.ts";
import { spawnWorker, type WorkerProcess } from "../jobs/support/worker-process.ts";
import { type AuthFixture, createAuthFixture } from "../support/auth-checks.ts";
import { type ApiProcess, freePort, spawnApi } from "../support/spawn-api.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { dbKind } from "../support/test-database.ts";
import { logStep } from "./support.ts";

// The API, the worker and this test are three processes on one database: that needs a real
// PostgreSQL server (the embedded PGlite is one in-process session), so these run in the
// postgres project only and are skipped, by name, on PGlite.
describe.runIf(dbKind === "postgres")("workflow gateway as separate processes (real PostgreSQL only)", () => {
  let t: TestApp | null = null;
  const apis: ApiProcess[] = [];
  const workers: WorkerProcess[] = [];
  let receiver: Server | null = null;

  afterEach(async () => {
    for (const api of apis.splice(0)) {
      api.kill("SIGKILL");
      await api.done;
    }
    for (const worker of workers.splice(0)) {
      if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill("SIGKILL");
      await worker.exited;
    }
    await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
    receiver = null;
    await t?.close();
    t = null;
  });

  async function setup(): Promise<{ app: TestApp; url: string; fixture: AuthFixture }> {
    t = await createTestApp();
    const fixture = await createAuthFixture(t, ["workflows:create", "workflows:read"], "logs:read");
    return { app: t, url: t.database.url as string, fixture };
  }

  const api = async (url: string, port: number, env: Record<string, string> = {}) => {
    const started = await spawnApi(url, port, env);
    apis.push(started);
    return started;
  };
  const worker = async (url: string, env: Record<string, string> = {}) => {
    const started = await spawnWorker(url, env, []);
    workers.push(started);
    return started;
  };

  async function call(base: string, method: string, path: string, key: string | null, body?: unknown) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(key ? { "x-api-key": key } : {}), ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON
    return { status: res.status, body: (await res.json()) as any };
  }

  it("trigger → run → a signed http_request to a local receiver (allowlisted) → a log step → the logs, with `serve` and `worker` as their own processes", async () => {
    const { app, url } = await setup();
    const logsKey = (await createAuthFixture(app, ["workflows:create", "workflows:read", "logs:read"])).good;
    const secret = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;
    const received: { verified: unknown; body: string; path: string }[] = [];
    receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => {
        body += chunk;
      });
      req.on("end", () => {
        let verified: unknown;
        try {
          verified = new Webhook(secret).verify(body, req.headers as Record<string, string>);
        } catch (error) {
          verified = { error: String(error) };
        }
        received.push({ verified, body, path: req.url ?? "" });
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ echo: "from-receiver" }));
      });
    });
    await new Promise<void>((resolve) => receiver?.listen(0, "127.0.0.1", resolve));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

    const server = await api(url, await freePort());
    const created = await call(server.url, "POST", "/api/v1/workflows", logsKey, {
      name: "Order received",
      triggers: [{ name: "shop" }],
      steps: [
        {
          type: "http_request",
          name: "notify",
          url: `${receiverUrl}/orders/{{trigger.body.orderId}}`,
          body: { order: "{{trigger.body.orderId}}" },
          signingSecret: secret,
        },
        logStep("done", "receiver said {{steps.notify.response.body.echo}} for {{trigger.body.email}}"),
      ],
    });
    expect(created.status).toBe(201);
    const triggerKey = created.body.triggers[0].key as string;

    const accepted = await call(server.url, "POST", `/api/v1/triggers/${triggerKey}`, null, { orderId: "A-7", email: "jo@example.com" });
    expect(accepted.status).toBe(202);
    const { eventId, runId } = accepted.body as { eventId: string; runId: string };
    // No worker yet, and `serve` runs no jobs: the run waits.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await call(server.url, "GET", `/api/v1/runs/${runId}`, logsKey)).body.status).toBe("queued");

    await worker(url, { OUTBOUND_ALLOWED_HOSTS: "127.0.0.1" });
    const run = await waitFor(
      "the run to finish in the worker process",
      async () => {
        const res = await call(server.url, "GET", `/api/v1/runs/${runId}`, logsKey);
        return res.body.status === "succeeded" || res.body.status === "failed" ? res.body : null;
      },
      30_000,
      200,
    );
    expect(run.status).toBe("succeeded");
    expect(run.eventId).toBe(eventId);
    expect(run.steps.map((step: { name: string; status: string }) => [step.name, step.status])).toEqual([
      ["notify", "succeeded"],
      ["done", "succeeded"],
    ]);
    expect(received).toHaveLength(1);
    expect(received[0]?.path).toBe("/orders/A-7");
    expect(received[0]?.verified).toEqual({ order: "A-7" });

    const logs = await call(server.url, "GET", `/api/v1/logs?workflow_id=${created.body.id}`, logsKey);
    expect(logs.status).toBe(200);
    const written = logs.body.data.find((row: { message: string }) => row.message.startsWith("receiver said"));
    expect(written?.message).toBe("receiver said from-receiver for [redacted:email]");
    expect(written?.piiRedacted).toBe(true);
  }, 60_000);

  it("kill -9 of the API during 500 triggers: every 202'd event is in the inbox with its run, and every run completes once a worker runs", async () => {
    const { app, url, fixture } = await setup();
    const port = await freePort();
    let server = await api(url, port);
    const created = await call(server.url, "POST", "/api/v1/workflows", fixture.good, {
      name: "Crash",
      triggers: [{ name: "load" }],
      steps: [logStep("note", "order {{trigger.body.n}}")],
    });
    expect(created.status).toBe(201);
    const workflowId = created.body.id as string;
    const path = `/api/v1/triggers/${created.body.triggers[0].key}`;

    const total = 500;
    const concurrency = 16;
    const killAfter = 200;
    const accepted = new Map<number, { eventId: string; runId: string }>();
    const refused: string[] = [];
    let connectionErrors = 0;
    let next = 0;
    let up: Promise<void> = Promise.resolve();
    let killed = false;

    const fire = async () => {
      while (next < total) {
        await up; // after the kill, new triggers wait until the API is back
        const n = next++;
        try {
          const res = await fetch(`http://127.0.0.1:${port}${path}`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ n, orderId: `o-${n}` }),
          });
          const body = await res.text();
          if (res.status === 202) accepted.set(n, JSON.parse(body));
          else refused.push(`${n}: ${res.status} ${body}`);
        } catch {
          connectionErrors++; // in flight when the process died: no answer, so no promise was made
        }
        if (!killed && accepted.size >= killAfter) {
          killed = true;
          const dead = server;
          dead.kill("SIGKILL");
          up = (async () => {
            await dead.done;
            server = await api(url, port);
          })();
        }
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: concurrency }, fire));
    await up;
    const elapsed = Date.now() - started;

    expect(killed).toBe(true);
    expect(refused).toEqual([]); // no 4xx/5xx: every answer was a 202
    expect(accepted.size + connectionErrors).toBe(total);
    expect(accepted.size).toBeGreaterThanOrEqual(total - concurrency);

    // Every 202 is durable: its event in the inbox, and its run pointing at it.
    const pairs = [...accepted.values()];
    const [stored] = await app.services.db.query<{ events: number; runs: number }>(
      `SELECT (SELECT count(*)::int FROM backplane.webhook_events WHERE id = ANY($1::text[])) AS events,
              (SELECT count(*)::int FROM workflows.runs r JOIN unnest($1::text[], $2::text[]) AS a(event_id, run_id)
                 ON r.id = a.run_id AND r.event_id = a.event_id) AS runs`,
      [pairs.map((pair) => pair.eventId), pairs.map((pair) => pair.runId)],
    );
    expect(stored).toEqual({ events: accepted.size, runs: accepted.size });

    await worker(url, { JOBS_CONCURRENCY: "10", JOBS_BATCH_SIZE: "20" });
    const runIds = pairs.map((pair) => pair.runId);
    const done = await waitFor(
      "every accepted run to finish",
      async () => {
        const [row] = await app.services.db.query<{ finished: number }>(
          "SELECT count(*)::int AS finished FROM workflows.runs WHERE id = ANY($1::text[]) AND status IN ('succeeded', 'failed')",
          [runIds],
        );
        return row?.finished === runIds.length ? row : null;
      },
      40_000,
      250,
    );
    expect(done.finished).toBe(runIds.length);
    const statuses = await app.services.db.query<{ status: string; n: number }>(
      "SELECT status, count(*)::int AS n FROM workflows.runs WHERE workflow_id = $1 GROUP BY status ORDER BY status",
      [workflowId],
    );
    // Also the runs committed by a request whose 202 never left the dying process: nothing is stuck.
    expect(statuses.filter((row) => row.status !== "succeeded")).toEqual([]);
    console.info(
      `kill -9 during ${total} triggers: ${accepted.size} answered 202, ${connectionErrors} cut off, ` +
        `${statuses[0]?.n ?? 0} runs succeeded (${elapsed} ms of load including the restart)`,
    );
  }, 90_000);
});
