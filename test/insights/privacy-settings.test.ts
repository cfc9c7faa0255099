import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeUserAuthChecks } from "../support/auth-checks.ts";
import type { TestApp } from "../support/test-app.ts";
import { createInsightsApp, signIn } from "./support.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createInsightsApp();
});
afterAll(() => t.close());

describe("GET/PUT /api/privacy/settings", () => {
  it("starts at the defaults, changes the given fields only, and audits each change with before and after", async () => {
    const user = await signIn(t, "privacy");
    const initial = await t.call("GET", "/api/privacy/settings", { headers: user.headers });
    expect(initial.status).toBe(200);
    expect(initial.body).toEqual({ telemetryEnabled: true, retentionDays: 90, updatedAt: null });
    const put = await t.call("PUT", "/api/privacy/settings", { headers: user.headers, body: { retentionDays: 30 } });
    expect(put.status, put.text).toBe(200);
    expect(put.body).toEqual({ telemetryEnabled: true, retentionDays: 30, updatedAt: expect.any(String) });
    const off = await t.call("PUT", "/api/privacy/settings", { headers: user.headers, body: { telemetryEnabled: false } });
    expect(off.body).toMatchObject({ telemetryEnabled: false, retentionDays: 30 });
    expect((await t.call("GET", "/api/privacy/settings", { headers: user.headers })).body).toEqual(off.body);
    const audit = await t.services.db.query<{ action: string; actor_type: string; org_id: string | null; metadata: unknown }>(
      "SELECT action, actor_type, org_id, metadata FROM backplane.audit_events WHERE actor_id = $1 AND action = 'privacy_settings.updated' ORDER BY seq",
      [user.userId],
    );
    expect(audit).toEqual([
      {
        action: "privacy_settings.updated",
        actor_type: "user",
        org_id: null,
        metadata: { before: { telemetryEnabled: true, retentionDays: 90 }, after: { telemetryEnabled: true, retentionDays: 30 } },
      },
      {
        action: "privacy_settings.updated",
        actor_type: "user",
        org_id: null,
        metadata: { before: { telemetryEnabled: true, retentionDays: 30 }, after: { telemetryEnabled: false, retentionDays: 30 } },
      },
    ]);
  });

  it("keeps retention within 7–365 days and refuses empty or unknown fields (400), changing nothing", async () => {
    const user = await signIn(t, "privacy-invalid");
    for (const body of [
      { retentionDays: 6 },
      { retentionDays: 366 },
      { retentionDays: 30.5 },
      {},
      { telemetry: false },
      { telemetryEnabled: "no" },
    ]) {
      const res = await t.call("PUT", "/api/privacy/settings", { headers: user.headers, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    for (const retentionDays of [7, 365]) {
      expect((await t.call("PUT", "/api/privacy/settings", { headers: user.headers, body: { retentionDays } })).body.retentionDays).toBe(
        retentionDays,
      );
    }
  });

  it("one user's settings are theirs alone", async () => {
    const a = await signIn(t, "privacy-a");
    const b = await signIn(t, "privacy-b");
    await t.call("PUT", "/api/privacy/settings", { headers: a.headers, body: { telemetryEnabled: false, retentionDays: 7 } });
    expect((await t.call("GET", "/api/privacy/settings", { headers: b.headers })).body).toEqual({
      telemetryEnabled: true,
      retentionDays: 90,
      updatedAt: null,
    });
  });

  it("a user's own context may write only its own org-less audit rows, and reads none (platform migration 0012)", async () => {
    const { withTenant } = await import("../../src/platform/tenancy/with-tenant.ts");
    const { recordAuditEvent } = await import("../../src/platform/audit/record-audit-event.ts");
    const a = await signIn(t, "audit-a");
    const b = await signIn(t, "audit-b");
    const asA = <T>(fn: Parameters<typeof withTenant<T>>[2]) =>
      withTenant(t.services.db, { orgId: null, userId: a.userId, principal: "test" }, fn);
    const write = (actor: { type: "user" | "service"; id: string }, orgId: string | null) =>
      asA((tx) => recordAuditEvent(tx, { actor, requestId: null, clientIp: null, orgId, action: "test.written" }))
        .then(() => "ok")
        .catch((error: { code?: string }) => error.code);
    expect(await write({ type: "user", id: a.userId }, null)).toBe("ok");
    expect(await write({ type: "user", id: b.userId }, null)).toBe("42501");
    expect(await write({ type: "service", id: a.userId }, null)).toBe("42501");
    const { createOrg } = await import("../../src/platform/orgs/create-org.ts");
    const org = await createOrg(t.services.db, { name: "Audit policy org" });
    expect(await write({ type: "user", id: a.userId }, org.id)).toBe("42501");
    expect(await asA((tx) => tx.query("SELECT 1 FROM backplane.audit_events"))).toEqual([]);
  });

  describe("GET security", () => {
    describeUserAuthChecks({ app: () => t, request: () => ({ method: "GET", path: "/api/privacy/settings" }) });
  });
  describe("PUT security", () => {
    describeUserAuthChecks({
      app: () => t,
      request: () => ({ method: "PUT", path: "/api/privacy/settings", body: { retentionDays: 60 } }),
    });
  });
});
