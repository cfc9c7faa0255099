import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuthFixture, createAuthFixture, describeAuthChecks } from "../support/auth-checks.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { as, logStep, makeWorkflow } from "./support.ts";

let t: TestApp;
let fixture: AuthFixture;
let reader: AuthFixture;
beforeAll(async () => {
  t = await createTestApp();
  fixture = await createAuthFixture(t, ["workflows:create"], "workflows:read");
  reader = await createAuthFixture(t, ["workflows:read"], "logs:read");
});
afterAll(() => t.close());

const httpStep = {
  type: "http_request",
  name: "notify",
  method: "POST",
  url: "https://crm.example.com/hooks/{{trigger.body.orderId}}",
  headers: { "x-source": "backplane" },
  body: { order: "{{trigger.body.orderId}}" },
  signingSecret: `whsec_${Buffer.alloc(32, 7).toString("base64")}`,
};

describe("workflows CRUD", () => {
  it("creates a workflow: trigger keys once, steps validated, audited; GET never shows keys or signing secrets", async () => {
    const res = await t.call("POST", "/api/v1/workflows", {
      headers: as(fixture.good),
      body: {
        name: "Orders",
        priority: "critical",
        triggers: [{ name: "shop" }, { name: "backup" }],
        steps: [
          httpStep,
          { type: "delay", name: "wait", seconds: 60 },
          { type: "email", name: "mail", to: "{{trigger.body.email}}", subject: "Hi", body: "Thanks" },
          logStep(),
        ],
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: "Orders", priority: "critical", enabled: true, orgId: fixture.orgA });
    expect(res.body.triggers).toHaveLength(2);
    for (const trigger of res.body.triggers) expect(trigger.key).toMatch(/^trg_[0-9A-Za-z]{32}$/);
    expect(res.body.steps[0].signingSecret).toBe("whsec_[hidden]");

    const got = await t.call("GET", `/api/v1/workflows/${res.body.id}`, { headers: as(fixture.good) });
    expect(got.status).toBe(403); // workflows:create alone does not read
    const read = await t.call("GET", `/api/v1/workflows/${res.body.id}`, { headers: as(readerFor(fixture)) });
    expect(read.status).toBe(200);
    for (const trigger of res.body.triggers) expect(read.text).not.toContain(trigger.key);
    expect(read.text).not.toContain(httpStep.signingSecret);
    expect(read.body.triggers.map((trigger: { name: string }) => trigger.name)).toEqual(["shop", "backup"]);
    const audit = await t.services.db.query<{ action: string }>("SELECT action FROM backplane.audit_events WHERE target_id = $1", [
      res.body.id,
    ]);
    expect(audit.map((row) => row.action)).toEqual(["workflow.created"]);
  });

  it("400 for malformed workflows: unknown step type, duplicate names, delay over 7 days, bad URL template, no steps", async () => {
    const bad = [
      { name: "x", steps: [{ type: "exec", name: "a", command: "rm -rf /" }] },
      { name: "x", steps: [logStep("a"), logStep("a")] },
      { name: "x", steps: [{ type: "delay", name: "a", seconds: 7 * 24 * 3600 + 1 }] },
      { name: "x", steps: [] },
      { name: "x", steps: [{ ...httpStep, signingSecret: "not-a-secret" }] },
      { name: "x", priority: "urgent", steps: [logStep()] },
      { name: "", steps: [logStep()] },
      { name: "x", steps: [{ type: "log", name: "Bad Name", message: "m" }] },
    ];
    for (const body of bad) {
      const res = await t.call("POST", "/api/v1/workflows", { headers: as(fixture.good), body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
    }
    const notJson = await t.call("POST", "/api/v1/workflows", { headers: as(fixture.good), body: "{nope" });
    expect(notJson.status).toBe(400);
  });

  it("PATCH changes fields, disables and re-enables (audited as such); another org's workflow is a 404", async () => {
    const workflow = await makeWorkflow(t, fixture.good, { name: "patch me" });
    const renamed = await t.call("PATCH", `/api/v1/workflows/${workflow.id}`, {
      headers: as(fixture.good),
      body: { name: "patched", priority: "bulk" },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: "patched", priority: "bulk", enabled: true });
    const disabled = await t.call("PATCH", `/api/v1/workflows/${workflow.id}`, { headers: as(fixture.good), body: { enabled: false } });
    expect(disabled.body.enabled).toBe(false);
    await t.call("PATCH", `/api/v1/workflows/${workflow.id}`, { headers: as(fixture.good), body: { enabled: true } });
    const audit = await t.services.db.query<{ action: string }>(
      "SELECT action FROM backplane.audit_events WHERE target_id = $1 ORDER BY seq",
      [workflow.id],
    );
    expect(audit.map((row) => row.action)).toEqual(["workflow.created", "workflow.updated", "workflow.disabled", "workflow.enabled"]);
    expect((await t.call("PATCH", `/api/v1/workflows/${workflow.id}`, { headers: as(fixture.good), body: {} })).status).toBe(400);
    const cross = await t.call("PATCH", `/api/v1/workflows/${workflow.id}`, { headers: as(fixture.otherOrg), body: { enabled: false } });
    expect(cross.status).toBe(404);
  });

  it("lists newest first with a cursor bound to the org", async () => {
    const made = [];
    for (let i = 0; i < 3; i++) made.push((await makeWorkflow(t, fixture.good, { name: `page ${i}` })).id);
    const key = readerFor(fixture);
    const first = await t.call("GET", "/api/v1/workflows?limit=2", { headers: as(key) });
    expect(first.status).toBe(200);
    expect(first.body.data.map((w: { id: string }) => w.id)).toEqual([made[2], made[1]]);
    const second = await t.call("GET", `/api/v1/workflows?limit=2&cursor=${first.body.nextCursor}`, { headers: as(key) });
    expect(second.body.data[0].id).toBe(made[0]);
    const tampered = await t.call("GET", `/api/v1/workflows?limit=2&cursor=${first.body.nextCursor}x`, { headers: as(key) });
    expect(tampered.status).toBe(400);
  });
});

// A read key for org A of `fixture` (made once).
let readKey = "";
function readerFor(f: AuthFixture): string {
  if (!readKey) throw new Error("reader key not made");
  void f;
  return readKey;
}
beforeAll(async () => {
  const { createKey } = await import("../../src/platform/keys/create-key.ts");
  readKey = (
    await createKey(t.services.db, {
      secret: t.config.BACKPLANE_SECRET,
      name: "reader A",
      orgId: fixture.orgA,
      scopes: ["workflows:read"],
      createdBy: "test",
    })
  ).key;
});

describe("POST /api/v1/workflows security", () => {
  describeAuthChecks({
    app: () => t,
    fixture: () => fixture,
    request: (f) => ({ method: "POST", path: `/api/v1/workflows?orgId=${f.orgA}`, body: { name: "sec", steps: [logStep()] } }),
    okStatus: 201,
    otherOrgStatus: 403,
  });
});

describe("GET /api/v1/workflows security", () => {
  describeAuthChecks({
    app: () => t,
    fixture: () => reader,
    request: (f) => ({ method: "GET", path: `/api/v1/workflows?orgId=${f.orgA}` }),
    otherOrgStatus: 403,
  });
});

describe("GET /api/v1/workflows/{id} security", () => {
  describeAuthChecks({
    app: () => t,
    fixture: () => reader,
    request: async (f) => {
      const { createKey } = await import("../../src/platform/keys/create-key.ts");
      const writer = await createKey(t.services.db, {
        secret: t.config.BACKPLANE_SECRET,
        name: "w",
        orgId: f.orgA,
        scopes: ["workflows:create"],
        createdBy: "test",
      });
      return { method: "GET", path: `/api/v1/workflows/${(await makeWorkflow(t, writer.key)).id}` };
    },
    otherOrgStatus: 404,
  });
});

describe("PATCH /api/v1/workflows/{id} security", () => {
  describeAuthChecks({
    app: () => t,
    fixture: () => fixture,
    request: async (f) => ({ method: "PATCH", path: `/api/v1/workflows/${(await makeWorkflow(t, f.good)).id}`, body: { name: "renamed" } }),
    otherOrgStatus: 404,
  });
});

describe("POST /api/v1/workflows/{id}/triggers/{triggerId}/rotate security", () => {
  describeAuthChecks({
    app: () => t,
    fixture: () => fixture,
    request: async (f) => {
      const workflow = await makeWorkflow(t, f.good);
      return { method: "POST", path: `/api/v1/workflows/${workflow.id}/triggers/${workflow.triggers[0]?.id}/rotate` };
    },
    otherOrgStatus: 404,
  });
});
