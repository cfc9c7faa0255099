import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableModules } from "../../src/modules/registry.ts";
import { generateApiKey } from "../../src/platform/auth/api-key-format.ts";
import { isConnectionError } from "../../src/platform/db/connection-errors.ts";
import type { Database } from "../../src/platform/db/database.ts";
import { openPostgres } from "../../src/platform/db/open-postgres.ts";
import type { AppRouter } from "../../src/platform/http/app-env.ts";
import { createApp } from "../../src/platform/http/create-app.ts";
import { createKey } from "../../src/platform/keys/create-key.ts";
import type { Services } from "../../src/platform/module.ts";
import { createOrg } from "../../src/platform/orgs/create-org.ts";
import { insertAthlete, insertSessions } from "../biomech/biomech-data.ts";
import { startTcpProxy, type TcpProxy, targetOf } from "../support/tcp-proxy.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { dbKind } from "../support/test-database.ts";

// An outage needs a real server behind a proxy the test can cut: the app reaches PostgreSQL
// only through the proxy; the test's own connection (t.services.db) goes direct.
describe.runIf(dbKind === "postgres")("HTTP during a database outage", () => {
  let t: TestApp;
  let proxy: TcpProxy;
  let db: Database;
  let app: AppRouter;
  let orgId: string;
  let admin: string;

  beforeAll(async () => {
    t = await createTestApp();
    const url = t.database.url as string;
    proxy = await startTcpProxy(targetOf(url));
    db = openPostgres({ url: proxy.urlFor(url), poolMax: 3 });
    const services: Services = { ...t.services, db };
    app = createApp({ services, modules: availableModules });
    orgId = (await createOrg(t.services.db, { name: "Outage" })).id;
    await insertSessions(t.services.db, orgId, await insertAthlete(t.services.db, orgId), [new Date("2026-01-01T00:00:00Z")]);
    admin = (
      await createKey(t.services.db, {
        secret: t.config.BACKPLANE_SECRET,
        scopes: ["keys:manage", "biomech:read"],
        createdBy: "test",
        name: "admin",
        orgId,
      })
    ).key;
  });
  afterAll(async () => {
    await db?.close();
    await proxy?.close();
    await t?.close();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = { "x-api-key": admin };
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await app.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON
    return { status: res.status, headers: res.headers, body: (await res.json()) as any };
  };
  const sessions = () => call("GET", `/api/biomech/sessions?orgId=${orgId}&limit=5`);
  const createsKey = () => call("POST", "/api/v1/keys", { name: "during outage", scopes: ["biomech:read"] });

  it("answers 503 database_unavailable with Retry-After while the database is cut off, and recovers when it returns", async () => {
    expect((await sessions()).status).toBe(200);

    proxy.cut();
    // A read, a write in a transaction, and a key lookup that must reach the database (an
    // unknown key is not cached): each is a 503 with Retry-After, never a 500 or a 401.
    const unknownKey = async () => {
      const res = await app.request(`/api/biomech/sessions?orgId=${orgId}`, {
        headers: { "x-api-key": generateApiKey("live") },
      });
      // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON
      return { status: res.status, headers: res.headers, body: (await res.json()) as any };
    };
    for (const [what, attempt] of [
      ["read", sessions],
      ["write", createsKey],
    ] as const) {
      const res = await attempt();
      expect(res.status, what).toBe(503);
      expect(res.body.error.code).toBe("database_unavailable");
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(JSON.stringify(res.body)).not.toMatch(/ECONN|127\.0\.0\.1|terminated/);
    }
    const lookup = await unknownKey();
    expect(lookup.status).toBe(503);
    expect(lookup.body.error.code).toBe("database_unavailable");
    const healthz = await app.request("/api/v1/healthz");
    expect(healthz.status).toBe(503);
    expect((await app.request("/api/health")).status).toBe(200);

    proxy.restore();
    // The pool reconnects on the next request: no restart needed.
    let back = await sessions();
    for (let attempt = 0; attempt < 20 && back.status !== 200; attempt++) {
      await sleep(250);
      back = await sessions();
    }
    expect(back.status).toBe(200);
    expect((await createsKey()).status).toBe(201);

    // Logged as warnings that name the outage, not as "unhandled error" with a stack per request.
    const lines = t.logs.map((line) => JSON.parse(line));
    expect(lines.filter((line) => line.msg === "unhandled error")).toEqual([]);
    expect(lines.some((line) => line.msg?.includes("database unavailable") && line.level === 40)).toBe(true);
  }, 60_000);
});

describe.runIf(dbKind === "postgres")("a connection that dies inside a transaction", () => {
  it("is an error for that transaction, never an uncaught exception, and the pool recovers", async () => {
    const t = await createTestApp();
    const url = t.database.url as string;
    const proxy = await startTcpProxy(targetOf(url));
    const db = openPostgres({ url: proxy.urlFor(url), poolMax: 2 });
    const uncaught: unknown[] = [];
    const record = (error: unknown) => uncaught.push(error);
    process.on("uncaughtException", record);
    try {
      const inTransaction = db.transaction(async (tx) => {
        await tx.query("SELECT 1");
        // The connection dies between two statements, while the client is checked out and idle.
        proxy.cut();
        await sleep(300);
        return tx.query("SELECT 2");
      });
      await expect(inTransaction).rejects.toSatisfy(isConnectionError);
      await sleep(100);
      expect(uncaught).toEqual([]);
      proxy.restore();
      expect(await db.query<{ ok: number }>("SELECT 1 AS ok")).toEqual([{ ok: 1 }]);
    } finally {
      process.off("uncaughtException", record);
      await db.close();
      await proxy.close();
      await t.close();
    }
  }, 30_000);
});

describe("what counts as the database being unavailable (one place: connection-errors.ts)", () => {
  const coded = (code: string, message = "x") => Object.assign(new Error(message), { code });
  it.each([
    ["refused", coded("ECONNREFUSED")],
    ["reset", coded("ECONNRESET")],
    ["refused on every address", new AggregateError([coded("ECONNREFUSED"), coded("ECONNREFUSED")], "")],
    ["pg: terminated", new Error("Connection terminated unexpectedly")],
    ["pg: pool timeout", new Error("timeout exceeded when trying to connect")],
    ["SQLSTATE 08006 connection failure", coded("08006")],
    ["SQLSTATE 57P01 admin shutdown", coded("57P01")],
    ["SQLSTATE 57P03 cannot connect now", coded("57P03")],
    ["wrapped (Drizzle) refused", new Error("Failed query", { cause: coded("ECONNREFUSED") })],
  ])("%s → 503", (_name, error) => {
    expect(isConnectionError(error)).toBe(true);
  });
  it.each([
    ["unique violation 23505", coded("23505")],
    ["data error 22007", coded("22007")],
    ["statement timeout 57014", coded("57014")],
    ["a bug", new TypeError("x is undefined")],
  ])("%s → not an outage", (_name, error) => {
    expect(isConnectionError(error)).toBe(false);
  });
});
