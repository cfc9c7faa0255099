import type { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { availableModules } from "../../src/modules/registry.ts";
import { parseConfig } from "../../src/platform/config/config.ts";
import { openPostgres } from "../../src/platform/db/open-postgres.ts";
import { createApp } from "../../src/platform/http/create-app.ts";
import { openJobQueue } from "../../src/platform/jobs/open-job-queue.ts";
import type { Services } from "../../src/platform/module.ts";
import { createLogger } from "../../src/platform/observability/logger.ts";
import { withTenant } from "../../src/platform/tenancy/with-tenant.ts";
import { databaseUrl } from "../support/postgres-url.ts";
import type { TestApp } from "../support/test-app.ts";
import { createEmptyPostgresDatabase } from "../support/test-database.ts";
import { bolaRows, createWorld, type OrgWorld, type Req } from "./bola-matrix.ts";

const pgbouncerUrl = inject("pgbouncerUrl");

/**
 * The tenant context behind a transaction-pooling PgBouncer (what Supabase's and Neon's poolers
 * are): consecutive transactions of one client land on different server connections, so any
 * session-level state would leak between tenants. .ci/run starts Debian's pgbouncer on
 * 127.0.0.1:6432 and sets TEST_PGBOUNCER_URL; without it this suite is skipped (and .ci/run says so).
 * Migrations go to the server directly, as they must behind a transaction pooler.
 */
describe.runIf(pgbouncerUrl !== "")("tenant context behind PgBouncer (transaction pooling)", () => {
  let database: { url: string; drop(): Promise<void> };
  let services: Services;
  let t: Pick<TestApp, "services" | "call">;
  let a: OrgWorld;
  let b: OrgWorld;

  beforeAll(async () => {
    database = await createEmptyPostgresDatabase(inject("template"));
    const name = new URL(database.url).pathname.slice(1);
    const url = databaseUrl(pgbouncerUrl, name);
    // Debian's PgBouncer (1.18) cannot carry prepared statements across its server connections.
    const db = openPostgres({ url, poolMax: 8, preparedStatements: false });
    const config = parseConfig({ NODE_ENV: "test", DATABASE_URL: url, JOBS_ENABLED: "false", DATABASE_PREPARED_STATEMENTS: "false" });
    const log = createLogger({ level: "silent", destination: { write: () => true } as unknown as Writable });
    services = { config, db, log, jobs: await openJobQueue({ config, db, log }) };
    const app = createApp({ services, modules: availableModules });
    t = {
      services,
      async call(method, path, init = {}) {
        const headers: Record<string, string> = { ...init.headers };
        const body = init.body === undefined ? undefined : JSON.stringify(init.body);
        if (body) headers["content-type"] = "application/json";
        const response = await app.request(path, { method, headers, body });
        const text = await response.text();
        return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null, text };
      },
    };
    a = await createWorld(t as TestApp, "A", availableModules);
    b = await createWorld(t as TestApp, "B", availableModules);
  });
  afterAll(async () => {
    await services?.db.close();
    await database?.drop();
  });

  it("goes through PgBouncer (its admin console lists this database's pool)", async () => {
    const admin = openPostgres({ url: databaseUrl(pgbouncerUrl, "pgbouncer"), poolMax: 1 });
    try {
      const pools = await admin.query<{ database: string }>("SHOW POOLS");
      expect(pools.map((pool) => pool.database)).toContain(new URL(database.url).pathname.slice(1));
    } finally {
      await admin.close();
    }
  });

  it("interleaved tenant transactions of two orgs each see only their own org, and nothing leaks after", async () => {
    const seen = await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const world = i % 2 === 0 ? a : b;
        return withTenant(services.db, { orgId: world.orgId, userId: null, principal: `test:${i}` }, async (tx) => {
          const [context] = await tx.query<{ org: string; principal: string; role: string }>(
            "SELECT current_setting('app.org_id', true) AS org, current_setting('app.principal', true) AS principal, current_user AS role",
          );
          const orgs = await tx.query<{ org_id: string }>("SELECT DISTINCT org_id FROM biomech.sessions");
          return { expected: world.orgId, i, context, orgs: orgs.map((row) => row.org_id) };
        });
      }),
    );
    for (const row of seen) {
      expect(row.context).toEqual({ org: row.expected, principal: `test:${row.i}`, role: "backplane_app" });
      expect(row.orgs).toEqual([row.expected]);
    }
    // Outside a transaction, on whatever server connection comes next: no role, no org left behind.
    for (let i = 0; i < 10; i++) {
      const [after] = await services.db.query<{ org: string | null; role: string }>(
        "SELECT nullif(current_setting('app.org_id', true), '') AS org, current_user AS role",
      );
      expect(after).toEqual({ org: null, role: "postgres" });
    }
    const none = await withTenant(services.db, { orgId: null, userId: null, principal: "test" }, (tx) =>
      tx.query<{ n: number }>("SELECT count(*)::int AS n FROM biomech.sessions"),
    );
    expect(none[0]?.n).toBe(0);
  });

  it.each(bolaRows.filter((row) => !row.route.includes("/queue/")))("BOLA $route through the pooler", async (row) => {
    const send = (key: string, req: Req) =>
      t.call(req.method, req.path, { headers: { "x-api-key": key }, ...(req.body === undefined ? {} : { body: req.body }) });
    const attack = await send(a.key, await row.attack(a, b));
    expect(attack.status, attack.text).toBe(row.status);
    for (const secret of b.secrets) expect(attack.text).not.toContain(secret);
    const control = await send(a.key, await row.control(a));
    expect(control.status, control.text).toBe(row.controlStatus ?? 200);
  });
});
