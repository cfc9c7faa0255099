import { afterEach, describe, expect, it } from "vitest";
import { redisHealthCheck } from "../../src/platform/redis/redis-health-check.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { redisUrl } from "../support/test-database.ts";

describe("health", () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it("/api/health and /api/v1/livez answer 200; healthz reports the database", async () => {
    t = await createTestApp();
    expect((await t.call("GET", "/api/health")).body).toEqual({ ok: true });
    expect((await t.call("GET", "/api/v1/livez")).body).toEqual({ ok: true });
    const healthz = await t.call("GET", "/api/v1/healthz");
    expect(healthz.status).toBe(200);
    expect(healthz.body.checks.database.ok).toBe(true);
  });

  it("/api/health does not touch the database; healthz is 503 naming it when it is down", async () => {
    t = await createTestApp();
    await t.services.db.close();
    expect((await t.call("GET", "/api/health")).status).toBe(200);
    expect((await t.call("GET", "/api/v1/livez")).status).toBe(200);
    const healthz = await t.call("GET", "/api/v1/healthz");
    expect(healthz.status).toBe(503);
    expect(healthz.body.error.code).toBe("service_unavailable");
    expect(healthz.body.details.failing).toEqual(["database"]);
    expect(healthz.body.details.checks.database.ok).toBe(false);
  });

  it("names Redis when it does not answer", async () => {
    const dead = redisHealthCheck("redis://127.0.0.1:1");
    t = await createTestApp({ healthChecks: { redis: dead.check } });
    const healthz = await t.call("GET", "/api/v1/healthz");
    expect(healthz.status).toBe(503);
    expect(healthz.body.details.failing).toEqual(["redis"]);
    expect(healthz.body.details.checks.database.ok).toBe(true);
    await dead.close();
  });

  it.runIf(redisUrl)("reports a live Redis as up", async () => {
    const live = redisHealthCheck(redisUrl);
    t = await createTestApp({ healthChecks: { redis: live.check } });
    const healthz = await t.call("GET", "/api/v1/healthz");
    expect(healthz.status).toBe(200);
    expect(healthz.body.checks.redis.ok).toBe(true);
    await live.close();
  });
});
