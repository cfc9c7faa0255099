import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeLog } from "../../src/modules/workflows/services/write-log.ts";
import { withTenant } from "../../src/platform/tenancy/with-tenant.ts";
import { type AuthFixture, createAuthFixture, describeAuthChecks } from "../support/auth-checks.ts";
import { runCleanup } from "../support/run-cleanup.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { as } from "./support.ts";

let t: TestApp;
let fixture: AuthFixture;
const jobId = "5c0c8e36-0d45-4f3b-9a9e-6c1f2d7b8a10";

const log = (orgId: string, entry: Partial<Parameters<typeof writeLog>[1]> = {}) =>
  withTenant(t.services.db, { orgId, userId: null, principal: "test" }, (tx) =>
    writeLog(tx, { orgId, level: "info", message: "hello", workflowId: "wf_logs", ...entry }),
  );

beforeAll(async () => {
  t = await createTestApp();
  fixture = await createAuthFixture(t, ["logs:read"], "workflows:read");
  await log(fixture.orgA, { message: "sent to jo@example.com", metadata: { phone: "+14155550123", plain: "ok" } });
  await log(fixture.orgA, { level: "error", message: "step failed", jobId });
  await log(fixture.orgA, { message: "order 1234567890123 shipped", workflowId: "wf_other" });
  await log(fixture.orgB, { message: "other org" });
});
afterAll(() => t.close());

describe("GET /api/v1/logs", () => {
  it("returns the org's rows newest first, redacted before they were stored, with pii_redacted", async () => {
    const res = await t.call("GET", "/api/v1/logs", { headers: as(fixture.good) });
    expect(res.status).toBe(200);
    expect(res.body.data.map((row: { message: string }) => row.message)).toEqual([
      "order 1234567890123 shipped",
      "step failed",
      "sent to [redacted:email]",
    ]);
    expect(res.body.data[2]).toMatchObject({ piiRedacted: true, metadata: { phone: "[redacted:phone]", plain: "ok" } });
    expect(res.body.data[0].piiRedacted).toBe(false);
    const stored = await t.services.db.query("SELECT message, metadata FROM workflows.logs");
    expect(JSON.stringify(stored)).not.toContain("jo@example.com");
    expect(JSON.stringify(stored)).not.toContain("+14155550123");
  });

  it("filters by level, workflow_id, job_id and time, and pages with a cursor bound to the filter", async () => {
    const q = (query: string) => t.call("GET", `/api/v1/logs?${query}`, { headers: as(fixture.good) });
    expect((await q("level=error")).body.data.map((row: { message: string }) => row.message)).toEqual(["step failed"]);
    expect((await q("workflow_id=wf_other")).body.data).toHaveLength(1);
    expect((await q(`job_id=${jobId}`)).body.data).toHaveLength(1);
    expect((await q(`from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).body.data).toHaveLength(0);
    expect((await q(`to=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).body.data).toHaveLength(3);
    const first = await q("limit=2");
    expect(first.body.data).toHaveLength(2);
    const second = await q(`limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.data).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    expect((await q(`limit=2&level=info&cursor=${first.body.nextCursor}`)).status).toBe(400);
    for (const bad of ["level=fatal", "workflow_id=nope", "job_id=123", "from=yesterday", "limit=0", "limit=201"]) {
      expect((await q(bad)).status, bad).toBe(400);
    }
  });

  it("the daily cleanup deletes rows older than LOG_RETENTION_DAYS", async () => {
    await log(fixture.orgA, { message: "ancient" });
    await t.services.db.query("UPDATE workflows.logs SET created_at = now() - interval '31 days' WHERE message = 'ancient'");
    expect(await runCleanup(t, "workflows.logs")).toEqual({ logs: 1 });
    expect(await t.services.db.query("SELECT 1 FROM workflows.logs WHERE message = 'ancient'")).toEqual([]);
    expect((await t.services.db.query("SELECT 1 FROM workflows.logs")).length).toBe(4);
  });
});

describe("GET /api/v1/logs security", () => {
  describeAuthChecks({
    app: () => t,
    fixture: () => fixture,
    request: (f) => ({ method: "GET", path: `/api/v1/logs?orgId=${f.orgA}` }),
    otherOrgStatus: 403,
  });
});
