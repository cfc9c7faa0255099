import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { recordAuditEvent } from "../../src/platform/audit/record-audit-event.ts";
import { defineJob } from "../../src/platform/jobs/define-job.ts";
import { defineModule } from "../../src/platform/module.ts";
import { createOrg } from "../../src/platform/orgs/create-org.ts";
import { withTenant } from "../../src/platform/tenancy/with-tenant.ts";
import { receiveWebhookEvent } from "../../src/platform/webhooks/receive-webhook-event.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { type AdminBrowser, auditRows, signInAdmin } from "./support.ts";

const processJob = defineJob({
  name: "adminprobe.process",
  queue: "default",
  payload: z.object({ eventId: z.string() }),
  handler: async () => {},
});
const probeModule = defineModule({ name: "adminprobe", jobs: [processJob] });

let t: TestApp;
let browser: AdminBrowser;
let orgA: string;
let orgB: string;

beforeAll(async () => {
  t = await createTestApp({ modules: [probeModule] });
  browser = await signInAdmin(t);
  orgA = (await createOrg(t.services.db, { name: `Hooks A ${Date.now()}` })).id;
  orgB = (await createOrg(t.services.db, { name: `Hooks B ${Date.now()}` })).id;
});
afterAll(() => t.close());

const receive = (orgId: string, source: string, externalId: string | null = null) =>
  withTenant(t.services.db, { orgId, userId: null, principal: "test" }, (tx) =>
    receiveWebhookEvent(
      tx,
      t.services.jobs,
      {
        orgId,
        source,
        externalId,
        contentType: "application/json",
        headers: { "content-type": "application/json" },
        body: new TextEncoder().encode('{"hello":"world"}'),
      },
      processJob,
      (eventId) => ({ eventId }),
    ),
  );

describe("admin console: webhook events", () => {
  it("lists every org's events newest first, filtered by org, status and source, escaping what senders chose", async () => {
    const a = await receive(orgA, "shop", "<b>evt-1</b>");
    const b = await receive(orgB, "crm");
    await t.services.db.query("UPDATE backplane.webhook_events SET status = 'failed', last_error = $2 WHERE id = $1", [
      b.id,
      `<script>boom</script>${"e".repeat(1000)}`,
    ]);
    const all = await (await browser.get("/admin/webhooks")).text();
    expect(all.indexOf(b.id)).toBeGreaterThan(-1);
    expect(all.indexOf(b.id)).toBeLessThan(all.indexOf(a.id));
    expect(all).toContain("&lt;b&gt;evt-1&lt;/b&gt;");
    expect(all).toContain("&lt;script&gt;boom");
    expect(all).not.toContain("<script>boom");
    expect(all).not.toContain("e".repeat(400));
    const onlyA = await (await browser.get(`/admin/webhooks?org=${orgA}`)).text();
    expect(onlyA).toContain(a.id);
    expect(onlyA).not.toContain(b.id);
    const failed = await (await browser.get("/admin/webhooks?status=failed&source=crm")).text();
    expect(failed).toContain(b.id);
    expect(failed).not.toContain(a.id);
    expect((await browser.get("/admin/webhooks?status=weird")).status).toBe(400);
    expect((await browser.get("/admin/webhooks?org=bad")).status).toBe(400);
  });

  it("replays an event: back to received, its job enqueued again, audited as the admin key in the event's org", async () => {
    const event = await receive(orgA, "shop");
    await t.services.db.query("UPDATE backplane.webhook_events SET status = 'failed', last_error = 'x' WHERE id = $1", [event.id]);
    expect((await browser.post(`/admin/webhooks/${event.id}/replay`, {}, { csrf: "nope" })).status).toBe(403);
    const res = await browser.post(`/admin/webhooks/${event.id}/replay`);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/admin/webhooks?done=webhook-replayed&id=${event.id}`);
    const [row] = await t.services.db.query<{ status: string; replays: number }>(
      "SELECT status, replays FROM backplane.webhook_events WHERE id = $1",
      [event.id],
    );
    expect(row).toEqual({ status: "received", replays: 1 });
    const jobs = await t.services.db.query("SELECT id FROM pgboss.job WHERE data->'payload'->>'eventId' = $1", [event.id]);
    expect(jobs).toHaveLength(2);
    const [audit] = await auditRows(t, "webhook_event.replayed");
    expect(audit).toMatchObject({ actor_id: browser.keyId, org_id: orgA, target_id: event.id });
    expect((await browser.post("/admin/webhooks/whe_doesnotexist/replay")).status).toBe(404);
  });

  it("pages with a signed cursor bound to the filter", async () => {
    for (let i = 0; i < 55; i++) await receive(orgB, "bulk-source");
    const first = await (await browser.get("/admin/webhooks?source=bulk-source")).text();
    const next = /href="\/admin\/webhooks\?([^"]*cursor=[^"]+)" rel="next"/.exec(first)?.[1]?.replaceAll("&amp;", "&") as string;
    expect(next).toBeTruthy();
    const second = await (await browser.get(`/admin/webhooks?${next}`)).text();
    expect((second.match(/<code class="muted">whe_/g) ?? []).length).toBe(5);
    expect((await browser.get(`/admin/webhooks?${next.replace("bulk-source", "shop")}`)).status).toBe(400);
  });
});

describe("admin console: audit log", () => {
  it("shows the console's own actions and filters by action (exact and prefix), actor, target, org and day", async () => {
    const other = await signInAdmin(t);
    await other.post("/admin/orgs", { name: "Audited org", slug: `audited-${Date.now()}` });
    const [created] = await auditRows(t, "org.created");
    const page = await (await browser.get("/admin/audit")).text();
    expect(page).toContain("admin.signed_in");
    expect(page).toContain("org.created");
    const byActor = await (await browser.get(`/admin/audit?actorId=${other.keyId}`)).text();
    expect(byActor).toContain("org.created");
    expect(byActor).not.toContain(`<code>${browser.keyId}</code></a></td>`);
    const prefix = await (await browser.get("/admin/audit?action=admin.*")).text();
    expect(prefix).toContain("admin.signed_in");
    expect(prefix).not.toContain("<code>org.created</code>");
    const byTarget = await (await browser.get(`/admin/audit?targetId=${created?.target_id}`)).text();
    expect(byTarget).toContain("org.created");
    expect(byTarget).not.toContain("admin.signed_in");
    const byOrg = await (await browser.get(`/admin/audit?org=${created?.org_id}`)).text();
    expect(byOrg).toContain("org.created");
    const today = new Date().toISOString().slice(0, 10);
    expect(await (await browser.get(`/admin/audit?from=${today}&to=${today}&action=org.created`)).text()).toContain("org.created");
    expect(await (await browser.get("/admin/audit?to=2001-01-01")).text()).toContain("No audit events match");
    expect((await browser.get("/admin/audit?action=DROP TABLE")).status).toBe(400);
    expect((await browser.get("/admin/audit?actorType=root")).status).toBe(400);
    expect((await browser.get("/admin/audit?from=2026-02-30")).status).toBe(400);
  });

  it("escapes metadata and truncates it", async () => {
    await recordAuditEvent(t.services.db, {
      actor: { type: "service", id: "probe" },
      requestId: null,
      clientIp: null,
      orgId: null,
      action: "probe.escaped",
      metadata: { note: `<img src=x onerror=alert(1)>${"m".repeat(450)}` },
    });
    const page = await (await browser.get("/admin/audit?action=probe.escaped")).text();
    expect(page).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(page).not.toContain("<img src=x");
    expect(page).not.toContain("m".repeat(400));
  });

  it("pages 50 at a time with a cursor bound to the filters", async () => {
    for (let i = 0; i < 60; i++) {
      await recordAuditEvent(t.services.db, {
        actor: { type: "service", id: "pager" },
        requestId: null,
        clientIp: null,
        orgId: null,
        action: "probe.paged",
      });
    }
    const first = await (await browser.get("/admin/audit?action=probe.paged")).text();
    expect((first.match(/<code>probe\.paged<\/code>/g) ?? []).length).toBe(50);
    const next = /href="\/admin\/audit\?([^"]*cursor=[^"]+)" rel="next"/.exec(first)?.[1]?.replaceAll("&amp;", "&") as string;
    const second = await (await browser.get(`/admin/audit?${next}`)).text();
    expect((second.match(/<code>probe\.paged<\/code>/g) ?? []).length).toBe(10);
    expect((await browser.get(`/admin/audit?${next.replace("probe.paged", "probe.escaped")}`)).status).toBe(400);
  });
});
