import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { integrationDefinitions } from "../../src/modules/insights/integrations/definitions.ts";
import { openCredentials } from "../../src/modules/insights/services/integrations.ts";
import { withTenant } from "../../src/platform/tenancy/with-tenant.ts";
import { describeUserAuthChecks } from "../support/auth-checks.ts";
import type { SignedInUser } from "../support/sign-in.ts";
import type { TestApp } from "../support/test-app.ts";
import { createInsightsApp, signIn } from "./support.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createInsightsApp();
});
afterAll(() => t.close());

const BOT_TOKEN = "xoxb-1234567890-secretsecretsecret";
const slack = { config: { defaultChannel: "#daily-summary" }, credentials: { botToken: BOT_TOKEN } };
const connect = (user: SignedInUser, id: string, body: unknown) =>
  t.call("POST", `/api/integrations/${id}/connect`, { headers: user.headers, body });
const auditOf = (userId: string) =>
  t.services.db.query<{ action: string; actor_type: string; org_id: string | null; target_id: string; metadata: Record<string, unknown> }>(
    "SELECT action, actor_type, org_id, target_id, metadata FROM backplane.audit_events WHERE actor_id = $1 ORDER BY seq",
    [userId],
  );

describe("GET /api/integrations", () => {
  it("lists a catalog of at least 8 real products with categories, related event types and fields; none connected", async () => {
    const user = await signIn(t, "int-list");
    const res = await t.call("GET", "/api/integrations", { headers: user.headers });
    expect(res.status, res.text).toBe(200);
    const ids = res.body.data.map((integration: { id: string }) => integration.id);
    expect(ids.length).toBeGreaterThanOrEqual(8);
    expect(ids).toEqual(expect.arrayContaining(["slack", "github", "google-calendar", "notion", "jira", "linear", "figma", "zoom"]));
    for (const integration of res.body.data) {
      expect(integration.name.length, integration.id).toBeGreaterThan(0);
      expect(integration.category.length).toBeGreaterThan(0);
      expect(integration.website).toMatch(/^https:\/\//);
      expect(integration.eventTypes.length).toBeGreaterThan(0);
      expect(integration.connection).toBeNull();
      // Every catalog row has a validator, and says which of its fields are secret.
      expect(integrationDefinitions[integration.id], integration.id).toBeDefined();
      expect(integration.configFields.some((field: { secret: boolean }) => field.secret)).toBe(true);
    }
  });
});

describe("POST /api/integrations/{id}/connect and DELETE /api/integrations/{id}", () => {
  it("connects with validated config, seals the credentials (never returned), reconnects, disconnects; each audited", async () => {
    const user = await signIn(t, "int-connect");
    const res = await connect(user, "slack", slack);
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ id: "slack", connection: { config: slack.config, credentialFields: ["botToken"] } });
    expect(res.text).not.toContain(BOT_TOKEN);
    const [row] = await t.services.db.query<{ credentials: Uint8Array; config: unknown }>(
      "SELECT credentials, config FROM insights.integration_connections WHERE user_id = $1 AND integration_id = 'slack'",
      [user.userId],
    );
    expect(Buffer.from(row?.credentials ?? []).toString("latin1")).not.toContain("xoxb");
    const opened = await withTenant(t.services.db, { orgId: null, userId: user.userId, principal: "test" }, (tx) =>
      openCredentials(tx, t.config.BACKPLANE_SECRET, user.userId, "slack"),
    );
    expect(opened).toEqual({ botToken: BOT_TOKEN });
    const listed = await t.call("GET", "/api/integrations", { headers: user.headers });
    expect(listed.body.data.find((i: { id: string }) => i.id === "slack").connection.credentialFields).toEqual(["botToken"]);
    expect(listed.text).not.toContain(BOT_TOKEN);

    const again = await connect(user, "slack", { ...slack, config: { defaultChannel: "#general" } });
    expect(again.status).toBe(200);
    expect(again.body.connection.config).toEqual({ defaultChannel: "#general" });

    const gone = await t.call("DELETE", "/api/integrations/slack", { headers: user.headers });
    expect(gone.status, gone.text).toBe(200);
    expect(gone.body).toEqual({ id: "slack", disconnected: true });
    expect((await t.call("DELETE", "/api/integrations/slack", { headers: user.headers })).status).toBe(404);
    expect(await t.services.db.query("SELECT 1 FROM insights.integration_connections WHERE user_id = $1", [user.userId])).toEqual([]);

    const audit = await auditOf(user.userId);
    expect(audit.map((event) => event.action)).toEqual(
      expect.arrayContaining(["integration.connected", "integration.reconnected", "integration.disconnected"]),
    );
    for (const event of audit.filter((e) => e.action.startsWith("integration."))) {
      expect(event).toMatchObject({ actor_type: "user", org_id: null, target_id: "slack" });
      expect(JSON.stringify(event.metadata)).not.toContain(BOT_TOKEN);
    }
  });

  it("a sealed credential is bound to its user and integration: another binding cannot open it", async () => {
    const user = await signIn(t, "int-bound");
    await connect(user, "slack", slack);
    const { unseal } = await import("../../src/platform/idempotency/seal.ts");
    const [row] = await t.services.db.query<{ credentials: Uint8Array }>(
      "SELECT credentials FROM insights.integration_connections WHERE user_id = $1",
      [user.userId],
    );
    expect(() =>
      unseal(t.config.BACKPLANE_SECRET, row?.credentials as Uint8Array, "usr_other:slack", "insights-integration-credentials"),
    ).toThrow();
  });

  it("checks config and credentials against the integration's own fields (400 naming the field), changing nothing", async () => {
    const user = await signIn(t, "int-invalid");
    const cases: [string, unknown, string][] = [
      ["slack", { ...slack, config: { defaultChannel: "general" } }, "body.config.defaultChannel"],
      ["slack", { ...slack, credentials: { botToken: "xoxp-user-token-not-a-bot" } }, "body.credentials.botToken"],
      ["slack", { config: slack.config }, "body.credentials.botToken"],
      ["slack", { ...slack, config: { ...slack.config, extra: 1 } }, "body.config"],
      [
        "jira",
        { config: { siteUrl: "https://evil.example.com", projectKey: "OPS" }, credentials: { email: "a@b.co", apiToken: "x".repeat(20) } },
        "body.config.siteUrl",
      ],
      ["github", { config: { owner: "acme" }, credentials: { token: "ghp_short" } }, "body.credentials.token"],
    ];
    for (const [id, body, field] of cases) {
      const res = await connect(user, id, body);
      expect(res.status, `${field}: ${res.text}`).toBe(400);
      expect(res.body.details.map((d: { field: string }) => d.field).join(" "), res.text).toContain(field);
    }
    expect((await connect(user, "myspace", slack)).status).toBe(404);
    expect((await connect(user, "Not An Id", slack)).status).toBe(400);
    expect(await t.services.db.query("SELECT 1 FROM insights.integration_connections WHERE user_id = $1", [user.userId])).toEqual([]);
    const github = await connect(user, "github", {
      config: { owner: "acme", repositories: ["api", "web"] },
      credentials: { token: `ghp_${"a".repeat(36)}` },
    });
    expect(github.status, github.text).toBe(201);
    const calendar = await connect(user, "google-calendar", { credentials: { refreshToken: `1//${"r".repeat(40)}` } });
    expect(calendar.body.connection.config).toEqual({ calendarId: "primary" });
  });

  it("another user's connection is invisible and cannot be removed", async () => {
    const a = await signIn(t, "int-a");
    const b = await signIn(t, "int-b");
    await connect(a, "slack", slack);
    const seen = await t.call("GET", "/api/integrations", { headers: b.headers });
    expect(seen.body.data.find((i: { id: string }) => i.id === "slack").connection).toBeNull();
    expect((await t.call("DELETE", "/api/integrations/slack", { headers: b.headers })).status).toBe(404);
    const still = await t.call("GET", "/api/integrations", { headers: a.headers });
    expect(still.body.data.find((i: { id: string }) => i.id === "slack").connection).not.toBeNull();
  });

  describe("security", () => {
    describe("GET /api/integrations", () => {
      describeUserAuthChecks({ app: () => t, request: () => ({ method: "GET", path: "/api/integrations" }) });
    });
    describe("POST /api/integrations/{id}/connect", () => {
      describeUserAuthChecks({
        app: () => t,
        request: () => ({ method: "POST", path: "/api/integrations/slack/connect", body: slack }),
        okStatus: 201,
      });
    });
    describe("DELETE /api/integrations/{id}", () => {
      // Nothing connected for the checks' fresh users: a valid caller gets 404.
      describeUserAuthChecks({ app: () => t, request: () => ({ method: "DELETE", path: "/api/integrations/zoom" }), okStatus: 404 });
    });
  });
});
