import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { closeRouteHandlers, createRouteHandlers } from "../../src/adapters/next/index.ts";
import { availableModules } from "../../src/modules/registry.ts";
import { migrateAll } from "../../src/platform/boot/migrations-for.ts";
import { openPostgres } from "../../src/platform/db/open-postgres.ts";
import { securityHeaderList } from "../../src/platform/http/security-headers.ts";
import { createTestApp, TEST_SECRET, type TestApp } from "../support/test-app.ts";
import { createEmptyPostgresDatabase, dbKind } from "../support/test-database.ts";

// backplane/next in process (the handlers a route.ts exports, called as Next calls them); the whole
// example under `next start` is test/adapters/nextjs-example.test.ts.

const errors = () => vi.spyOn(console, "error").mockImplementation(() => {});
afterEach(() => vi.restoreAllMocks());
afterAll(() => closeRouteHandlers());

describe("backplane/next without DATABASE_URL", () => {
  it("answers 500 with the error envelope, the request id and the security headers; the log says why; no embedded database", async () => {
    const logged = errors();
    const handlers = createRouteHandlers({
      env: { DATABASE_URL: "", BACKPLANE_SECRET: TEST_SECRET, BACKPLANE_DATA_DIR: "/nonexistent/bp" },
    });
    const res = await handlers.GET(new Request("http://localhost/api/health", { headers: { "x-request-id": "req-no-db-1" } }));
    expect(res.status).toBe(500);
    expect(res.headers.get("x-request-id")).toBe("req-no-db-1");
    for (const [name, value] of securityHeaderList) expect(res.headers.get(name)).toBe(value);
    // The reason is for the operator's log, not the caller.
    expect(await res.json()).toEqual({ error: { code: "internal_error", message: "Internal server error", requestId: "req-no-db-1" } });
    const line = logged.mock.calls.map((call) => String(call[0])).join("\n");
    expect(line).toContain("DATABASE_URL: is required under Next.js");
    expect(line).toContain("cannot run the embedded database");
    expect(line).toContain("req-no-db-1");
  });

  it("every method is the same handler, and nothing is opened before the first request", async () => {
    const handlers = createRouteHandlers({ env: { DATABASE_URL: "" } });
    expect(Object.keys(handlers).sort()).toEqual(["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]);
    expect(new Set(Object.values(handlers)).size).toBe(1);
  });
});

describe.runIf(dbKind === "postgres")("backplane/next on PostgreSQL", () => {
  let t: TestApp | null = null;
  afterAll(() => t?.close());

  it("one small pool per instance, reused across invocations: 40 concurrent requests use at most DATABASE_POOL_MAX (3 by default) connections", async () => {
    t = await createTestApp();
    const url = t.database.url as string;
    const handlers = createRouteHandlers({ env: { DATABASE_URL: url, BACKPLANE_SECRET: TEST_SECRET, LOG_LEVEL: "warn" } });
    const ready = await handlers.GET(new Request("http://localhost/api/v1/healthz"));
    expect(ready.status, await ready.text()).toBe(200);
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => handlers.GET(new Request("http://localhost/api/v1/healthz")).then((res) => res.status)),
    );
    expect(answers).toEqual(Array(40).fill(200));
    const [row] = await t.services.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'backplane-next'",
    );
    expect(row?.n).toBeGreaterThanOrEqual(1);
    expect(row?.n).toBeLessThanOrEqual(3);
    // A second handler set for the same environment (a re-evaluated route module) shares the instance.
    const again = createRouteHandlers({ env: { DATABASE_URL: url, BACKPLANE_SECRET: TEST_SECRET, LOG_LEVEL: "warn" } });
    expect((await again.GET(new Request("http://localhost/api/v1/healthz"))).status).toBe(200);
    const [after] = await t.services.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'backplane-next'",
    );
    expect(after?.n).toBeLessThanOrEqual(3);
  });

  it("a database behind the code: 503 with Retry-After and no DDL run; once `migrate` has run, the next request serves", async () => {
    const logged = errors();
    const empty = await createEmptyPostgresDatabase();
    const probe = openPostgres({ url: empty.url, poolMax: 1 });
    try {
      const handlers = createRouteHandlers({ env: { DATABASE_URL: empty.url, BACKPLANE_SECRET: TEST_SECRET, LOG_LEVEL: "warn" } });
      const res = await handlers.POST(new Request("http://localhost/api/auth/otp/request", { method: "POST" }));
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
      const body = (await res.json()) as { error: { code: string; requestId: string } };
      expect(body.error.code).toBe("service_unavailable");
      expect(res.headers.get("x-request-id")).toBe(body.error.requestId);
      expect(logged.mock.calls.map((call) => String(call[0])).join("\n")).toMatch(/lacks \d+ migration\(s\).*run `backplane migrate`/);
      const [schemas] = await probe.query<{ backplane: string | null; boss: string | null }>(
        "SELECT to_regnamespace('backplane')::text AS backplane, to_regnamespace('pgboss')::text AS boss",
      );
      expect(schemas).toEqual({ backplane: null, boss: null });

      await migrateAll(probe, availableModules);
      const served = await handlers.GET(new Request("http://localhost/api/v1/healthz"));
      expect(served.status, await served.text()).toBe(200);
    } finally {
      await closeRouteHandlers();
      await probe.close();
      await empty.drop();
    }
  });
});
