import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineJob } from "../../src/platform/jobs/define-job.ts";
import { defineModule } from "../../src/platform/module.ts";
import { asService, withTenant } from "../../src/platform/tenancy/with-tenant.ts";
import { type InboundEvent, receiveWebhookEvent } from "../../src/platform/webhooks/receive-webhook-event.ts";
import { type AuthFixture, createAuthFixture, describeAuthChecks } from "../support/auth-checks.ts";
import { runCleanup } from "../support/run-cleanup.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

const processJob = defineJob({
  name: "inboxprobe.process",
  queue: "default",
  payload: z.object({ eventId: z.string() }),
  handler: async () => {},
});
const inboxModule = defineModule({
  name: "inboxprobe",
  jobs: [processJob],
  scopes: [
    { name: "workflows:create", description: "test" },
    { name: "workflows:read", description: "test" },
  ],
});

let t: TestApp;
let fixture: AuthFixture;
beforeAll(async () => {
  t = await createTestApp({ modules: [inboxModule] });
  fixture = await createAuthFixture(t, ["workflows:create"], "workflows:read");
});
afterAll(() => t.close());

const event = (orgId: string, overrides: Partial<InboundEvent> = {}): InboundEvent => ({
  orgId,
  source: "probe",
  externalId: null,
  contentType: "application/json",
  headers: {
    "content-type": "application/json",
    authorization: "Bearer secret-token-123",
    "x-api-key": "bp_live_x",
    "webhook-id": "msg_1",
  },
  body: new TextEncoder().encode('{"hello": "world"}'),
  ...overrides,
});
const receive = (orgId: string, overrides: Partial<InboundEvent> = {}) =>
  withTenant(t.services.db, { orgId, userId: null, principal: "test" }, (tx) =>
    receiveWebhookEvent(tx, t.services.jobs, event(orgId, overrides), processJob, (eventId) => ({ eventId })),
  );
const jobsFor = (eventId: string) => t.services.db.query("SELECT id FROM pgboss.job WHERE data->'payload'->>'eventId' = $1", [eventId]);
const as = (key: string) => ({ "x-api-key": key });

describe("webhook inbox", () => {
  it("stores the raw bytes, a safe subset of headers and enqueues the job in the same transaction", async () => {
    const received = await receive(fixture.orgA);
    expect(received.duplicate).toBe(false);
    const [row] = await t.services.db.query<{ body: Uint8Array; headers: Record<string, string>; status: string; job: string }>(
      "SELECT body, headers, status, job FROM backplane.webhook_events WHERE id = $1",
      [received.id],
    );
    expect(Buffer.from(row?.body ?? []).toString()).toBe('{"hello": "world"}');
    expect(row?.headers).toEqual({ "content-type": "application/json", "webhook-id": "msg_1" });
    expect(row).toMatchObject({ status: "received", job: "inboxprobe.process" });
    expect(await jobsFor(received.id)).toHaveLength(1);
  });

  it("a sender's retry (same source and external id) is a no-op returning the first event", async () => {
    const first = await receive(fixture.orgA, { externalId: "evt-42" });
    const retry = await receive(fixture.orgA, { externalId: "evt-42", body: new TextEncoder().encode("{}") });
    expect(retry).toMatchObject({ id: first.id, duplicate: true });
    expect(await jobsFor(first.id)).toHaveLength(1);
  });

  it("nothing is stored or enqueued when the caller's transaction rolls back", async () => {
    let id = "";
    await expect(
      withTenant(t.services.db, { orgId: fixture.orgA, userId: null, principal: "test" }, async (tx) => {
        id = (await receiveWebhookEvent(tx, t.services.jobs, event(fixture.orgA), processJob, (eventId) => ({ eventId }))).id;
        throw new Error("after the insert");
      }),
    ).rejects.toThrow("after the insert");
    expect(await t.services.db.query("SELECT 1 FROM backplane.webhook_events WHERE id = $1", [id])).toEqual([]);
    expect(await jobsFor(id)).toEqual([]);
  });

  it("GET /api/v1/webhook-events lists the caller's org only, filters and pages with a cursor", async () => {
    await receive(fixture.orgB, { source: "other-org" });
    for (let i = 0; i < 3; i++) await receive(fixture.orgA, { source: "paged" });
    const first = await t.call("GET", "/api/v1/webhook-events?source=paged&limit=2", { headers: as(fixture.good) });
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.data[0]).toMatchObject({ source: "paged", orgId: fixture.orgA, status: "received", bodyBytes: 18 });
    const second = await t.call("GET", `/api/v1/webhook-events?source=paged&limit=2&cursor=${first.body.nextCursor}`, {
      headers: as(fixture.good),
    });
    expect(second.body.data).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    const all = await t.call("GET", "/api/v1/webhook-events?limit=200", { headers: as(fixture.good) });
    expect(all.body.data.every((e: { orgId: string }) => e.orgId === fixture.orgA)).toBe(true);
    const other = await t.call("GET", `/api/v1/webhook-events?source=paged&cursor=${first.body.nextCursor}&status=failed`, {
      headers: as(fixture.good),
    });
    expect(other.status).toBe(400);
    expect((await t.call("GET", "/api/v1/webhook-events?status=weird", { headers: as(fixture.good) })).status).toBe(400);
  });

  it("POST /api/v1/webhook-events/{id}/replay enqueues the job again and writes an audit row; another org's event is a 404", async () => {
    const received = await receive(fixture.orgA, { source: "replayed" });
    await t.services.db.query("UPDATE backplane.webhook_events SET status = 'failed', last_error = 'boom' WHERE id = $1", [received.id]);
    const res = await t.call("POST", `/api/v1/webhook-events/${received.id}/replay`, { headers: as(fixture.good) });
    expect(res.status).toBe(202);
    expect(res.body.event).toMatchObject({ id: received.id, status: "received", replays: 1, lastError: null });
    expect(await jobsFor(received.id)).toHaveLength(2);
    const audit = await t.services.db.query<{ action: string; org_id: string }>(
      "SELECT action, org_id FROM backplane.audit_events WHERE target_id = $1",
      [received.id],
    );
    expect(audit).toEqual([{ action: "webhook_event.replayed", org_id: fixture.orgA }]);

    const theirs = await receive(fixture.orgB, { source: "theirs" });
    const cross = await t.call("POST", `/api/v1/webhook-events/${theirs.id}/replay`, { headers: as(fixture.good) });
    expect(cross.status).toBe(404);
    expect(await jobsFor(theirs.id)).toHaveLength(1);
    expect((await t.call("POST", "/api/v1/webhook-events/whe_nothere/replay", { headers: as(fixture.good) })).status).toBe(404);
    expect((await t.call("POST", "/api/v1/webhook-events/not-an-id/replay", { headers: as(fixture.good) })).status).toBe(400);
  });

  it("the daily cleanup deletes events older than WEBHOOK_RETENTION_DAYS", async () => {
    const old = await receive(fixture.orgA, { source: "old" });
    const recent = await receive(fixture.orgA, { source: "recent" });
    await t.services.db.query("UPDATE backplane.webhook_events SET received_at = now() - interval '31 days' WHERE id = $1", [old.id]);
    await runCleanup(t, "platform.webhook-events");
    const left = await asService(t.services.db, "test", (tx) =>
      tx.query<{ id: string }>("SELECT id FROM backplane.webhook_events WHERE id = ANY($1)", [[old.id, recent.id]]),
    );
    expect(left.map((row) => row.id)).toEqual([recent.id]);
  });
});

describe("GET /api/v1/webhook-events security", () => {
  describeAuthChecks({
    app: () => t,
    fixture: () => fixture,
    request: (f) => ({ method: "GET", path: `/api/v1/webhook-events?orgId=${f.orgA}` }),
    otherOrgStatus: 403,
  });
});

describe("POST /api/v1/webhook-events/{id}/replay security", () => {
  describeAuthChecks({
    app: () => t,
    fixture: () => fixture,
    request: async (f) => ({ method: "POST", path: `/api/v1/webhook-events/${(await receive(f.orgA)).id}/replay` }),
    okStatus: 202,
    otherOrgStatus: 404,
  });
});
