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
    // The caller learns name, up/down and latency; the reason (host, port) is only in the log.
    expect(healthz.body.details.checks.redis).toEqual({ ok: false, status: "down", latencyMs: expect.any(Number) });
    expect(healthz.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|connect/);
    const logged = t.logs.map((line) => JSON.parse(line)).find((line) => line.check === "redis");
    expect(logged?.err?.message ?? logged?.err?.code).toMatch(/ECONNREFUSED|connect/);
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

  it("probes Redis many times without piling up listeners (no MaxListenersExceededWarning)", async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on("warning", onWarning);
    const dead = redisHealthCheck("redis://127.0.0.1:1");
    const live = redisUrl ? redisHealthCheck(redisUrl) : null;
    try {
      t = await createTestApp({ healthChecks: { deadRedis: dead.check, ...(live ? { redis: live.check } : {}) } });
      for (let probe = 0; probe < 30; probe++) {
        const healthz = await t.call("GET", "/api/v1/healthz");
        expect(healthz.status).toBe(503);
        expect(healthz.body.details.failing).toEqual(["deadRedis"]);
      }
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((warning) => warning.includes("MaxListeners"))).toEqual([]);
    } finally {
      process.off("warning", onWarning);
      await dead.close();
      await live?.close();
    }
  });
});
