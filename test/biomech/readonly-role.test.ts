import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeBiomechReader } from "../../src/modules/biomech/read-database.ts";
import type { Sql } from "../../src/platform/db/database.ts";
import { openPostgres } from "../../src/platform/db/open-postgres.ts";
import { createApp } from "../../src/platform/http/create-app.ts";
import { createKey } from "../../src/platform/keys/create-key.ts";
import { createOrg } from "../../src/platform/orgs/create-org.ts";
import { keepLoginRole, withTenant } from "../../src/platform/tenancy/with-tenant.ts";
import { runCli } from "../support/spawn-cli.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { dbKind, postgresUrl } from "../support/test-database.ts";
import { captureTimes, insertAthlete, insertSessions } from "./biomech-data.ts";

const code = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return "ok";
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe.runIf(dbKind === "postgres")("read-only database role (real Postgres)", () => {
  const role = `bp_ro_${randomBytes(4).toString("hex")}`;
  let t: TestApp;
  let readonlyUrl: string;
  let ro: ReturnType<typeof openPostgres>;
  let orgId: string;

  beforeAll(async () => {
    t = await createTestApp();
    orgId = (await createOrg(t.services.db, { name: "RO" })).id;
    await insertSessions(t.services.db, orgId, await insertAthlete(t.services.db, orgId), captureTimes(5));
    const result = await runCli(["db:readonly-role", "--role", role, "--json"], { DATABASE_URL: t.database.url as string });
    expect(result.code, result.stderr).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output).toMatchObject({ role, created: true, schemas: ["biomech"] });
    readonlyUrl = output.databaseUrlReadonly;
    ro = openPostgres({ url: readonlyUrl, poolMax: 2 });
  });

  afterAll(async () => {
    await ro?.close();
    await t?.close(); // drops the database, and with it the grants that reference the role
    const admin = openPostgres({ url: postgresUrl, poolMax: 1 });
    await admin.exec(`DROP ROLE IF EXISTS ${role}`);
    await admin.close();
  });

  it("can read the biomech schema, one org at a time (row-level security applies to it too)", async () => {
    const count = (tx: Sql) => tx.query<{ n: number }>("SELECT count(*)::int AS n FROM biomech.sessions");
    expect((await count(ro))[0]?.n).toBe(0);
    const own = await withTenant(keepLoginRole(ro), { orgId, userId: null, principal: "test" }, count);
    expect(own[0]?.n).toBe(5);
    const other = await withTenant(ro, { orgId: "org_someoneelse", userId: null, principal: "test" }, count);
    expect(other[0]?.n).toBe(0);
  });

  it("cannot write, even after turning read-only transactions off", async () => {
    await ro.withSession(async (session) => {
      expect(await code(session.query("INSERT INTO biomech.athletes (id, org_id, display_name) VALUES ('ath_x', $1, 'x')", [orgId]))).toBe(
        "25006",
      );
      await session.exec("SET default_transaction_read_only = off");
      // Now only privileges stand in the way: 42501 insufficient_privilege.
      expect(await code(session.query("INSERT INTO biomech.athletes (id, org_id, display_name) VALUES ('ath_x', $1, 'x')", [orgId]))).toBe(
        "42501",
      );
      expect(await code(session.query("UPDATE biomech.sessions SET duration_ms = 0"))).toBe("42501");
      expect(await code(session.query("DELETE FROM biomech.sessions"))).toBe("42501");
      expect(await code(session.exec("TRUNCATE biomech.sessions"))).toBe("42501");
      expect(await code(session.exec("CREATE TABLE biomech.evil (id int)"))).toBe("42501");
      expect(await code(session.exec("DROP TABLE biomech.sessions"))).toBe("42501");
    });
    const rows = await t.services.db.query<{ n: number }>("SELECT count(*)::int AS n FROM biomech.sessions");
    expect(rows[0]?.n).toBe(5);
  });

  it("cannot read platform tables (key digests, orgs)", async () => {
    expect(await code(ro.query("SELECT * FROM backplane.api_keys"))).toBe("42501");
    expect(await code(ro.query("SELECT * FROM backplane.orgs"))).toBe("42501");
  });

  it("reads tables created later in the schema (default privileges)", async () => {
    await t.services.db.exec("CREATE TABLE biomech.later (id int); INSERT INTO biomech.later VALUES (1)");
    expect(await ro.query("SELECT id FROM biomech.later")).toEqual([{ id: 1 }]); // no RLS on a table nobody enabled it on
  });

  it("running the command again keeps the role and its password", async () => {
    const again = await runCli(["db:readonly-role", "--role", role, "--json"], { DATABASE_URL: t.database.url as string });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ created: false, databaseUrlReadonly: null });
    expect((await ro.query("SELECT 1 AS one"))[0]).toEqual({ one: 1 });
  });

  it("with DATABASE_URL_READONLY set, the biomech routes read through the role", async () => {
    const services = { ...t.services, config: { ...t.config, DATABASE_URL_READONLY: readonlyUrl } };
    const app = createApp({ services, modules: [(await import("../../src/modules/biomech/module.ts")).biomechModule] });
    const key = await createKey(t.services.db, {
      secret: t.config.BACKPLANE_SECRET,
      name: "ro",
      orgId,
      scopes: ["biomech:read"],
      createdBy: "test",
    });
    const get = () => app.request(`/api/biomech/sessions?orgId=${orgId}`, { headers: { "x-api-key": key.key } });
    try {
      const ok = await get();
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as { data: unknown[] }).data).toHaveLength(5);
      // Take SELECT away from the role: the route now fails, so it was reading through it.
      await t.services.db.exec(`REVOKE SELECT ON biomech.sessions FROM ${role}`);
      expect((await get()).status).toBe(500);
      await t.services.db.exec(`GRANT SELECT ON biomech.sessions TO ${role}`);
      expect((await get()).status).toBe(200);
    } finally {
      await closeBiomechReader(services);
    }
  });
});
