import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateTriggerKey } from "../../src/modules/workflows/trigger-key.ts";
import { type AuthFixture, createAuthFixture } from "../support/auth-checks.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { dbKind } from "../support/test-database.ts";
import { as, count, makeWorkflow, postTrigger } from "./support.ts";

let t: TestApp;
let fixture: AuthFixture;
let triggerKey: string;
let triggerId: string;
let workflowId: string;

beforeAll(async () => {
  t = await createTestApp({ env: { LOG_LEVEL: "trace" } });
  fixture = await createAuthFixture(t, ["workflows:create", "workflows:read"], "logs:read");
  const workflow = await makeWorkflow(t, fixture.good);
  workflowId = workflow.id;
  triggerKey = workflow.triggers[0]?.key as string;
  triggerId = workflow.triggers[0]?.id as string;
  fixture.secrets.add(triggerKey);
});
afterAll(() => t.close());

const eventsOf = (id = triggerId) => count(t, "SELECT 1 FROM backplane.webhook_events WHERE source = $1", [`workflow-trigger:${id}`]);
const startJobsFor = (eventId: string) => count(t, "SELECT 1 FROM pgboss.job WHERE data->'payload'->>'eventId' = $1", [eventId]);

describe("POST /api/v1/triggers/{key}", () => {
  it("202 {eventId, runId}: the raw event, a queued run and its start job are stored before the answer", async () => {
    const raw = '{"orderId": "A-1", "email": "jo@example.com"}';
    const res = await postTrigger(t, triggerKey, raw);
    expect(res.status).toBe(202);
    const body = (await res.json()) as { eventId: string; runId: string };
    expect(body.eventId).toMatch(/^whe_/);
    expect(body.runId).toMatch(/^run_/);
    const [event] = await t.services.db.query<{ body: Uint8Array; org_id: string; headers: Record<string, string> }>(
      "SELECT body, org_id, headers FROM backplane.webhook_events WHERE id = $1",
      [body.eventId],
    );
    expect(Buffer.from(event?.body ?? []).toString()).toBe(raw);
    expect(event?.org_id).toBe(fixture.orgA);
    const [run] = await t.services.db.query<{ status: string; context: { trigger: { body: unknown } } }>(
      "SELECT status, context FROM workflows.runs WHERE id = $1",
      [body.runId],
    );
    expect(run?.status).toBe("queued");
    expect(run?.context.trigger.body).toEqual({ orderId: "A-1", email: "jo@example.com" });
    expect(await startJobsFor(body.eventId)).toBe(1);
  });

  it("accepts exactly 524,288 bytes; 524,289 is a 413 and nothing is stored", async () => {
    const exact = `{"pad":"${"x".repeat(524_288 - 10)}"}`;
    expect(Buffer.byteLength(exact)).toBe(524_288);
    const before = await eventsOf();
    expect((await postTrigger(t, triggerKey, exact)).status).toBe(202);
    expect(await eventsOf()).toBe(before + 1);
    const over = `{"pad":"${"x".repeat(524_288 - 9)}"}`;
    const res = await postTrigger(t, triggerKey, over);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("payload_too_large");
    expect(await eventsOf()).toBe(before + 1);
  });

  it("a chunked body over the limit is cut off at 524,289 bytes (no Content-Length)", async () => {
    const before = await eventsOf();
    let sent = 0;
    const stream = new ReadableStream({
      pull(controller) {
        if (sent >= 2_000_000) return controller.close();
        sent += 65_536;
        controller.enqueue(new Uint8Array(65_536).fill(0x20));
      },
    });
    const res = await t.app.request(`/api/v1/triggers/${triggerKey}`, {
      method: "POST",
      headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(sent).toBeLessThan(2_000_000);
    expect(await eventsOf()).toBe(before);
  });

  it("a form body becomes an object (a repeated field an array); text/plain is a 415; bad JSON a 400", async () => {
    const res = await postTrigger(t, triggerKey, "orderId=A-7&tag=a&tag=b&note=hello+world", {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(res.status).toBe(202);
    const { runId } = (await res.json()) as { runId: string };
    const [run] = await t.services.db.query<{ context: { trigger: { body: unknown; contentType: string } } }>(
      "SELECT context FROM workflows.runs WHERE id = $1",
      [runId],
    );
    expect(run?.context.trigger).toEqual({
      body: { orderId: "A-7", tag: ["a", "b"], note: "hello world" },
      contentType: "application/x-www-form-urlencoded",
    });

    const before = await eventsOf();
    const text = await postTrigger(t, triggerKey, "hello", { "content-type": "text/plain" });
    expect(text.status).toBe(415);
    const bad = await postTrigger(t, triggerKey, "{not json");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("invalid_json");
    expect(await eventsOf()).toBe(before);
  });

  it("unknown, malformed and disabled keys are the same 404; the key never reaches a log line or an error body", async () => {
    const unknown = generateTriggerKey();
    const secrets = [unknown, "trg_short", "not-even-a-key-1234567890"];
    for (const key of secrets) {
      const res = await postTrigger(t, key, "{}");
      expect(res.status).toBe(404);
      const text = await res.text();
      expect(text).not.toContain(key);
      expect(JSON.parse(text).error.code).toBe("not_found");
    }
    // 405 and a trailing segment echo no key either.
    const get = await t.app.request(`/api/v1/triggers/${unknown}`);
    expect([404, 405]).toContain(get.status);
    expect(await get.text()).not.toContain(unknown);
    const deeper = await t.app.request(`/api/v1/triggers/${unknown}/more`, {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json" },
    });
    expect(await deeper.text()).not.toContain(unknown);

    const disabled = await makeWorkflow(t, fixture.good, { name: "to disable" });
    const disabledKey = disabled.triggers[0]?.key as string;
    expect((await postTrigger(t, disabledKey, "{}")).status).toBe(202);
    await t.call("PATCH", `/api/v1/workflows/${disabled.id}`, { headers: as(fixture.good), body: { enabled: false } });
    const res = await postTrigger(t, disabledKey, "{}");
    expect(res.status).toBe(404);
    secrets.push(disabledKey, triggerKey);

    const all = t.logs.join("\n");
    expect(all).toContain("/api/v1/triggers/[redacted]");
    for (const key of secrets) expect(all.includes(key), `a log line contains ${key.slice(0, 8)}…`).toBe(false);
  });

  it("Idempotency-Key: the retry answers the first 202 again and stores nothing new; another body is a 422", async () => {
    const headers = { "content-type": "application/json", "idempotency-key": "order-A-9" };
    const first = await postTrigger(t, triggerKey, '{"orderId":"A-9"}', headers);
    const firstBody = await first.text();
    const before = await eventsOf();
    const again = await postTrigger(t, triggerKey, '{"orderId":"A-9"}', headers);
    expect(again.status).toBe(202);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.text()).toBe(firstBody);
    expect(await eventsOf()).toBe(before);
    expect((await postTrigger(t, triggerKey, '{"orderId":"A-10"}', headers)).status).toBe(422);
    // The inbox dedupes on the same key too, should the idempotency record be gone.
    await t.services.db.query("DELETE FROM backplane.idempotency_keys WHERE key = 'order-A-9'");
    const afterCleanup = await postTrigger(t, triggerKey, '{"orderId":"A-9"}', headers);
    expect(JSON.parse(await afterCleanup.text())).toEqual(JSON.parse(firstBody));
    expect(await eventsOf()).toBe(before);
  });

  it(`50 concurrent requests with one Idempotency-Key: one event, one run, one job; the rest replay or 409, none 5xx (${dbKind === "postgres" ? 200 : 2} trials)`, async () => {
    const trials = dbKind === "postgres" ? 200 : 2;
    for (let trial = 0; trial < trials; trial++) {
      const key = `burst-${trial}`;
      const answers = await Promise.all(
        Array.from({ length: 50 }, () =>
          postTrigger(t, triggerKey, `{"trial":${trial}}`, { "content-type": "application/json", "idempotency-key": key }),
        ),
      );
      const statuses = answers.map((answer) => answer.status);
      expect(
        statuses.every((status) => status === 202 || status === 409),
        statuses.join(","),
      ).toBe(true);
      const events = await t.services.db.query<{ id: string }>("SELECT id FROM backplane.webhook_events WHERE external_id = $1", [key]);
      expect(events).toHaveLength(1);
      const eventId = events[0]?.id as string;
      expect(await count(t, "SELECT 1 FROM workflows.runs WHERE event_id = $1", [eventId])).toBe(1);
      expect(await startJobsFor(eventId)).toBe(1);
    }
  }, 120_000);

  it("rotation: the old key stops at once, the new one works; audited", async () => {
    const workflow = await makeWorkflow(t, fixture.good, { name: "rotating" });
    const trigger = workflow.triggers[0] as { id: string; key: string };
    const res = await t.call("POST", `/api/v1/workflows/${workflow.id}/triggers/${trigger.id}/rotate`, { headers: as(fixture.good) });
    expect(res.status).toBe(200);
    expect(res.body.key).toMatch(/^trg_[0-9A-Za-z]{32}$/);
    expect(res.body.key).not.toBe(trigger.key);
    expect((await postTrigger(t, trigger.key, "{}")).status).toBe(404);
    expect((await postTrigger(t, res.body.key, "{}")).status).toBe(202);
    const audit = await t.services.db.query<{ action: string }>("SELECT action FROM backplane.audit_events WHERE target_id = $1", [
      trigger.id,
    ]);
    expect(audit.map((row) => row.action)).toEqual(["trigger_key.rotated"]);
    const other = await t.call("POST", `/api/v1/workflows/${workflow.id}/triggers/${trigger.id}/rotate`, { headers: as(fixture.otherOrg) });
    expect(other.status).toBe(404);
  });

  it("the workflow id is in no trigger answer, and the key is in no stored row", async () => {
    const rows = await t.services.db.query("SELECT * FROM workflows.triggers WHERE workflow_id = $1", [workflowId]);
    expect(JSON.stringify(rows)).not.toContain(triggerKey);
  });
});
