import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableModules } from "../../src/modules/registry.ts";
import { type RunningWorker, startWorker } from "../../src/platform/jobs/start-worker.ts";
import { createKey } from "../../src/platform/keys/create-key.ts";
import { fastJobsEnv } from "../jobs/support/fast-env.ts";
import { waitFor } from "../jobs/support/wait-for.ts";
import { type AuthFixture, createAuthFixture, describeAuthChecks } from "../support/auth-checks.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { as, makeWorkflow, postTrigger } from "./support.ts";

const secret = `whsec_${Buffer.alloc(32, 9).toString("base64")}`;
let t: TestApp;
let worker: RunningWorker;
let fixture: AuthFixture;
let server: Server;
let receiver: string;
const received: { verified: unknown; headers: Record<string, unknown>; body: string }[] = [];
let failuresLeft = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      if (req.url === "/flaky" && failuresLeft > 0) {
        failuresLeft--;
        res.writeHead(503);
        return res.end("down");
      }
      let verified: unknown = null;
      try {
        verified = new Webhook(secret).verify(body, req.headers as Record<string, string>);
      } catch (error) {
        verified = { error: String(error) };
      }
      received.push({ verified, headers: req.headers, body });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ echo: "from-receiver", got: JSON.parse(body || "{}") }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t = await createTestApp({ env: { ...fastJobsEnv, LOG_LEVEL: "info", OUTBOUND_ALLOWED_HOSTS: "127.0.0.1" } });
  fixture = await createAuthFixture(t, ["workflows:create", "workflows:read"], "logs:read");
  worker = await startWorker(t.services, availableModules);
});
afterAll(async () => {
  await worker?.stop(1);
  await t.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const runOf = (runId: string) => t.call("GET", `/api/v1/runs/${runId}`, { headers: as(fixture.good) });
const finished = (runId: string, timeoutMs = 20_000) =>
  waitFor(
    `run ${runId} to finish`,
    async () => {
      const res = await runOf(runId);
      return res.body.status === "succeeded" || res.body.status === "failed" ? res.body : null;
    },
    timeoutMs,
  );

describe("runs", () => {
  it("trigger → signed http call → delay (a scheduled job) → log → email; templates read the trigger and earlier steps", async () => {
    const workflow = await makeWorkflow(t, fixture.good, {
      priority: "critical",
      steps: [
        {
          type: "http_request",
          name: "notify",
          url: `${receiver}/orders/{{trigger.body.orderId}}`,
          body: { order: "{{trigger.body.orderId}}" },
          signingSecret: secret,
        },
        { type: "delay", name: "wait", seconds: 1 },
        {
          type: "log",
          name: "note",
          level: "info",
          message: "receiver said {{steps.notify.response.body.echo}} for {{trigger.body.email}}",
        },
        { type: "email", name: "mail", to: "{{trigger.body.email}}", subject: "Order {{trigger.body.orderId}}", body: "Thanks" },
      ],
    });
    const res = await postTrigger(t, workflow.triggers[0]?.key as string, '{"orderId":"A 1/2","email":"jo@example.com"}');
    expect(res.status).toBe(202);
    const { runId } = (await res.json()) as { runId: string };
    const run = await finished(runId);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
    expect(run.steps.map((step: { status: string }) => step.status)).toEqual(["succeeded", "succeeded", "succeeded", "succeeded"]);
    const [notify, wait, note] = run.steps;
    expect(notify.output.response).toMatchObject({ status: 200, body: { echo: "from-receiver", got: { order: "A 1/2" } } });
    // The delay is a job scheduled for later, not a sleeping worker: the next step starts >= 1 s after.
    expect(new Date(note.startedAt).getTime() - new Date(wait.finishedAt).getTime()).toBeGreaterThanOrEqual(900);

    const call = received.at(-1);
    expect(call?.verified).toEqual({ order: "A 1/2" });
    expect(call?.headers["webhook-id"]).toMatch(/^msg_/);

    const logs = await t.services.db.query<{ message: string; pii_redacted: boolean }>(
      "SELECT message, pii_redacted FROM workflows.logs WHERE workflow_id = $1 ORDER BY seq",
      [workflow.id],
    );
    const line = logs.find((row) => row.message.startsWith("receiver said"));
    expect(line).toEqual({ message: "receiver said from-receiver for [redacted:email]", pii_redacted: true });
    expect(JSON.stringify(logs)).not.toContain("jo@example.com");
  });

  it("a URL value is URI-encoded (it cannot change the path); a private address is a clear step error and the run fails after 3 retries", async () => {
    const workflow = await makeWorkflow(t, fixture.good, {
      steps: [{ type: "http_request", name: "metadata", method: "GET", url: "http://169.254.169.254/latest/{{trigger.body.path}}" }],
    });
    const res = await postTrigger(t, workflow.triggers[0]?.key as string, '{"path":"meta-data"}');
    const { runId } = (await res.json()) as { runId: string };
    const run = await finished(runId);
    expect(run.status).toBe("failed");
    expect(run.steps[0]).toMatchObject({ status: "failed", attempts: 4 });
    expect(run.steps[0].error).toMatch(/refused: 169\.254\.169\.254/);
    expect(run.error).toMatch(/^step metadata: /);
  });

  it("a dead-lettered step fails the run; replaying it from the dead-letter queue resumes the run", async () => {
    failuresLeft = 4;
    const workflow = await makeWorkflow(t, fixture.good, {
      steps: [
        { type: "http_request", name: "flaky", url: `${receiver}/flaky`, body: { n: 1 } },
        { type: "log", name: "after", message: "after flaky" },
      ],
    });
    const res = await postTrigger(t, workflow.triggers[0]?.key as string, "{}");
    const { runId } = (await res.json()) as { runId: string };
    const failed = await finished(runId);
    expect(failed.status).toBe("failed");
    const operator = await createKey(t.services.db, {
      secret: t.config.BACKPLANE_SECRET,
      name: "operator",
      orgId: null,
      scopes: ["queue:manage", "queue:read"],
      createdBy: "test",
    });
    const letters = await waitFor("the dead letter", async () => {
      const list = await t.call("GET", "/api/v1/queue/dlq?limit=100", { headers: as(operator.key) });
      return list.body.items?.find((letter: { payload: { runId?: string } }) => letter.payload?.runId === runId);
    });
    const replay = await t.call("POST", "/api/v1/queue/dlq/replay", { headers: as(operator.key), body: { id: letters.id } });
    expect(replay.status).toBe(200);
    const resumed = await waitFor("the run to succeed", async () => {
      const run = (await runOf(runId)).body;
      return run.status === "succeeded" ? run : null;
    });
    expect(resumed.steps.map((step: { status: string }) => step.status)).toEqual(["succeeded", "succeeded"]);
    expect(resumed.error).toBeNull();
  });

  it("GET /api/v1/workflows/{id}/runs lists runs newest first", async () => {
    const workflow = await makeWorkflow(t, fixture.good, { steps: [{ type: "log", name: "a", message: "x" }] });
    const key = workflow.triggers[0]?.key as string;
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(((await (await postTrigger(t, key, "{}")).json()) as { runId: string }).runId);
    const page = await t.call("GET", `/api/v1/workflows/${workflow.id}/runs?limit=2`, { headers: as(fixture.good) });
    expect(page.status).toBe(200);
    expect(page.body.data.map((run: { id: string }) => run.id)).toEqual([ids[2], ids[1]]);
    const next = await t.call("GET", `/api/v1/workflows/${workflow.id}/runs?limit=2&cursor=${page.body.nextCursor}`, {
      headers: as(fixture.good),
    });
    expect(next.body.data.map((run: { id: string }) => run.id)).toEqual([ids[0]]);
    expect((await t.call("GET", "/api/v1/runs/run_doesnotexist", { headers: as(fixture.good) })).status).toBe(404);
    expect((await t.call("GET", "/api/v1/runs/nope", { headers: as(fixture.good) })).status).toBe(400);
  });
});

const newRun = async (f: AuthFixture) => {
  const workflow = await makeWorkflow(t, f.good, { steps: [{ type: "log", name: "a", message: "x" }] });
  const res = await postTrigger(t, workflow.triggers[0]?.key as string, "{}");
  return { workflowId: workflow.id, runId: ((await res.json()) as { runId: string }).runId };
};

describe("GET /api/v1/runs/{id} security", () => {
  describeAuthChecks({
    app: () => t,
    fixture: () => fixture,
    request: async (f) => ({ method: "GET", path: `/api/v1/runs/${(await newRun(f)).runId}` }),
    otherOrgStatus: 404,
  });
});

describe("GET /api/v1/workflows/{id}/runs security", () => {
  describeAuthChecks({
    app: () => t,
    fixture: () => fixture,
    request: async (f) => ({ method: "GET", path: `/api/v1/workflows/${(await newRun(f)).workflowId}/runs` }),
    otherOrgStatus: 404,
  });
});
