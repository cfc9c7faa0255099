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
