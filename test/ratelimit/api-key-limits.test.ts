import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../../src/platform/keys/create-key.ts";

import { type AuthFixture, createAuthFixture, describeAuthChecks } from "../support/auth-checks.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

let t: TestApp | null = null;

afterEach(async () => {
  await t?.close();
  t = null;
});

async function setup(env: Record<string, string> = {}) {
  t = await createTestApp({ env: { LOG_LEVEL: "warn", ...env }, modules: [] });
  const app = t;
  const admin = await createKey(app.services.db, {
    secret: app.config.BACKPLANE_SECRET,
    name: "ops",
    orgId: null,
    scopes: ["keys:manage"],
    createdBy: "test",
  });
  return { app, admin: admin.key };
}

const list = (app: TestApp, key: string) => app.call("GET", "/api/v1/keys", { headers: { "x-api-key": key } });

describe("API key rate limits", () => {
  it("a key's own limit (set at creation): burst requests pass, the next is 429 with RateLimit headers", async () => {
    const { app, admin } = await setup();
    const created = await app.call("POST", "/api/v1/keys", {
      body: { name: "limited", orgId: null, scopes: ["keys:manage"], rateLimit: { perSecond: 1, burst: 3 } },
      headers: { "x-api-key": admin },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body.rateLimit).toEqual({ perSecond: 1, burst: 3 });
    const key = created.body.key as string;
    for (let i = 0; i < 3; i++) {
      const ok = await list(app, key);
      expect(ok.status).toBe(200);
      expect(ok.headers.get("ratelimit-policy")).toBe('"api-key";q=3;w=3');
    }
    const limited = await list(app, key);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe("rate_limited");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get("ratelimit")).toMatch(/^"api-key";r=0;t=\d+$/);
    // Another key is not affected.
    expect((await list(app, admin)).status).toBe(200);
  });

  it("no limit by default; API_KEY_RATE_LIMIT sets the deployment default for keys without their own", async () => {
    const off = await setup();
    for (let i = 0; i < 15; i++) expect((await list(off.app, off.admin)).status).toBe(200);
    expect((await list(off.app, off.admin)).headers.get("ratelimit")).toBeNull();
    await off.app.close();
    t = null;

    const { app, admin } = await setup({ API_KEY_RATE_LIMIT: "2" });
    expect((await list(app, admin)).status).toBe(200);
    expect((await list(app, admin)).status).toBe(200);
    expect((await list(app, admin)).status).toBe(429);
  });

  it("PATCH /api/v1/keys/{id} sets and clears a key's limit; bad limits are 400", async () => {
    const { app, admin } = await setup({ API_KEY_RATE_LIMIT: "1000" });
    const target = await createKey(app.services.db, {
      secret: app.config.BACKPLANE_SECRET,
      name: "t",
      orgId: null,
      scopes: ["keys:manage"],
      createdBy: "test",
    });
    const set = await app.call("PATCH", `/api/v1/keys/${target.id}`, {
      body: { rateLimit: { perSecond: 1 } },
      headers: { "x-api-key": admin },
    });
    expect(set.status, set.text).toBe(200);
    expect(set.body.rateLimit).toEqual({ perSecond: 1, burst: 1 });
    expect((await list(app, target.key)).status).toBe(200);
    expect((await list(app, target.key)).status).toBe(429);
    const cleared = await app.call("PATCH", `/api/v1/keys/${target.id}`, { body: { rateLimit: null }, headers: { "x-api-key": admin } });
    expect(cleared.body.rateLimit).toBeNull();
    for (const body of [{}, { rateLimit: { perSecond: 0 } }, { rateLimit: { perSecond: 1, burst: -1 } }, { rateLimit: "fast" }]) {
      expect(
        (await app.call("PATCH", `/api/v1/keys/${target.id}`, { body, headers: { "x-api-key": admin } })).status,
        JSON.stringify(body),
      ).toBe(400);
    }
    const audit = await app.services.db.query<{ action: string }>("SELECT action FROM backplane.audit_events WHERE target_id = $1", [
      target.id,
    ]);
    expect(audit.map((row) => row.action)).toEqual(["key.updated", "key.updated"]);
  });

  it("config: API_KEY_RATE_LIMIT must be <perSecond> or <perSecond>:<burst>", async () => {
    const { parseConfig } = await import("../../src/platform/config/config.ts");
    expect(parseConfig({ API_KEY_RATE_LIMIT: "50:100" }).API_KEY_RATE_LIMIT).toEqual({ perSecond: 50, burst: 100 });
    expect(parseConfig({ API_KEY_RATE_LIMIT: "7" }).API_KEY_RATE_LIMIT).toEqual({ perSecond: 7, burst: 7 });
    expect(() => parseConfig({ API_KEY_RATE_LIMIT: "fast" })).toThrow(/API_KEY_RATE_LIMIT/);
    expect(parseConfig({}).API_KEY_RATE_LIMIT).toBeUndefined();
  });
});

describe("PATCH /api/v1/keys/{id} security", () => {
  let app: TestApp;
  let fixture: AuthFixture;
  beforeAll(async () => {
    app = await createTestApp({ env: { LOG_LEVEL: "trace" } });
    fixture = await createAuthFixture(app, ["keys:manage"], "biomech:read");
  });
  afterAll(() => app.close());
  describeAuthChecks({
    app: () => app,
    fixture: () => fixture,
    request: async (f) => {
      const target = await createKey(app.services.db, {
        secret: app.config.BACKPLANE_SECRET,
        name: "target",
        orgId: f.orgA,
        scopes: ["keys:manage"],
        createdBy: "test",
      });
      return { method: "PATCH", path: `/api/v1/keys/${target.id}`, body: { rateLimit: { perSecond: 100 } } };
    },
    otherOrgStatus: 404,
  });
});
