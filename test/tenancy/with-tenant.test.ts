import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableModules } from "../../src/modules/registry.ts";
import { catalogOf } from "../../src/platform/catalog.ts";
import { asService, asTenant, withTenant } from "../../src/platform/tenancy/with-tenant.ts";
import { createOrgProbeTable } from "../support/org-probe-table.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";

interface ContextRow {
  role: string;
  org_id: string | null;
  user_id: string | null;
  principal: string | null;
}

const readContext = `SELECT current_user AS role,
  nullif(current_setting('app.org_id', true), '') AS org_id,
  nullif(current_setting('app.user_id', true), '') AS user_id,
  nullif(current_setting('app.principal', true), '') AS principal`;

describe("tenant context", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  it("withTenant runs as backplane_app with the settings, and leaves nothing behind", async () => {
    const [outsideBefore] = await database.db.query<ContextRow>(readContext);
    const inside = await withTenant(database.db, { orgId: "org_a", userId: "usr_b", principal: "api_key:key_c" }, async (tx) => {
      const [row] = await tx.query<ContextRow>(readContext);
      return row;
    });
    expect(inside).toEqual({ role: "backplane_app", org_id: "org_a", user_id: "usr_b", principal: "api_key:key_c" });
    const [outsideAfter] = await database.db.query<ContextRow>(readContext);
    expect(outsideAfter).toEqual(outsideBefore);
    expect(outsideAfter?.role).not.toBe("backplane_app");
    expect(outsideAfter?.org_id).toBeNull();
  });

  it("carries any value exactly (quotes, backslashes, SQL), never as SQL", async () => {
    const principal = "api_key:o'brien\\'; SELECT set_config('role', 'postgres', true); --";
    const inside = await withTenant(database.db, { orgId: "org_'\\x", userId: null, principal }, async (tx) => {
      const [row] = await tx.query<ContextRow>(readContext);
      return row;
    });
    expect(inside).toEqual({ role: "backplane_app", org_id: "org_'\\x", user_id: null, principal });
  });

  it("a failing statement rolls back and frees the connection for the next transaction", async () => {
    for (let i = 0; i < 3; i++) {
      await expect(
        withTenant(database.db, { orgId: "org_a", userId: null, principal: "test" }, (tx) => tx.query("SELECT 1/0")),
      ).rejects.toThrow();
    }
    const [after] = await database.db.query<ContextRow>(readContext);
    expect(after?.role).not.toBe("backplane_app");
  });

  it("withTenant without an org or user sets them to none", async () => {
    const inside = await withTenant(database.db, { orgId: null, userId: null, principal: "env_key:BIOMECH_API_KEYS" }, async (tx) => {
      const [row] = await tx.query<ContextRow>(readContext);
      return row;
    });
    expect(inside).toMatchObject({ role: "backplane_app", org_id: null, user_id: null });
  });

  it("rolls back with the transaction when fn throws", async () => {
    await expect(
      withTenant(database.db, { orgId: "org_a", userId: null, principal: "api_key:key_c" }, async (tx) => {
        await tx.query("SELECT 1");
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    const [after] = await database.db.query<ContextRow>(readContext);
    expect(after?.role).not.toBe("backplane_app");
    expect(after?.org_id).toBeNull();
  });

  it("asService stays on the connecting role and names the reason", async () => {
    const [outside] = await database.db.query<ContextRow>(readContext);
    const inside = await asService(database.db, "test", async (tx) => (await tx.query<ContextRow>(readContext))[0]);
    expect(inside).toEqual({ role: outside?.role, org_id: null, user_id: null, principal: "service:test" });
  });
});

describe("asTenant and db.batch", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
    await createOrgProbeTable(database.db, "batch_probe", "SELECT, INSERT", [
      ["org_a", "a1"],
      ["org_a", "a2"],
      ["org_b", "b1"],
    ]);
  });
  afterAll(async () => {
    await database.db.exec("DROP TABLE public.batch_probe");
    await database.close();
  });

  it("runs each statement as the app role with the settings, and leaves nothing behind", async () => {
    const [outsideBefore] = await database.db.query<ContextRow>(readContext);
    const tenant = asTenant(database.db, { orgId: "org_a", userId: "usr_b", principal: "api_key:key_c" });
    expect(await tenant.query<ContextRow>(readContext)).toEqual([
      { role: "backplane_app", org_id: "org_a", user_id: "usr_b", principal: "api_key:key_c" },
    ]);
    const [outsideAfter] = await database.db.query<ContextRow>(readContext);
    expect(outsideAfter).toEqual(outsideBefore);
    expect(outsideAfter?.org_id).toBeNull();
  });

  it("row-level security hides other orgs' rows from a query that does not filter by org", async () => {
    const rows = await asTenant(database.db, { orgId: "org_a", userId: null, principal: "test" }).query<{ note: string }>(
      "SELECT note FROM public.batch_probe ORDER BY note",
    );
    expect(rows.map((row) => row.note)).toEqual(["a1", "a2"]);
    const none = await asTenant(database.db, { orgId: null, userId: null, principal: "test" }).query("SELECT * FROM public.batch_probe");
    expect(none).toEqual([]);
  });

  it("carries hostile values as parameters, never as SQL", async () => {
    const principal = "api_key:o'brien\\'; SELECT set_config('role', 'postgres', true); --";
    const [row] = await asTenant(database.db, { orgId: "org_'\\x", userId: null, principal }).query<ContextRow>(readContext);
    expect(row).toEqual({ role: "backplane_app", org_id: "org_'\\x", user_id: null, principal });
  });

  it("a batch answers each statement's rows in order", async () => {
    const answers = await database.db.batch([
      { text: "SELECT $1::int AS n", params: [1] },
      { text: "SELECT note FROM public.batch_probe WHERE org_id = $1 ORDER BY note", params: ["org_b"] },
      { text: "SELECT 1 WHERE false" },
    ]);
    expect(answers).toEqual([[{ n: 1 }], [{ note: "b1" }], []]);
  });

  it("a batch is one transaction: a failing statement undoes the ones before it and skips the rest", async () => {
    await expect(
      database.db.batch([
        { text: "INSERT INTO public.batch_probe VALUES ($1, $2)", params: ["org_c", "c1"] },
        { text: "SELECT 1/0" },
        { text: "INSERT INTO public.batch_probe VALUES ($1, $2)", params: ["org_c", "c2"] },
      ]),
    ).rejects.toThrow(/division by zero/);
    expect(await database.db.query("SELECT * FROM public.batch_probe WHERE org_id = 'org_c'")).toEqual([]);
    // The connection is usable (and clean) afterwards.
    const [after] = await database.db.query<ContextRow>(readContext);
    expect(after?.role).not.toBe("backplane_app");
  });

  it("a value pg cannot send fails the batch before anything runs", async () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(
      database.db.batch([
        { text: "INSERT INTO public.batch_probe VALUES ($1, $2)", params: ["org_c", "c3"] },
        { text: "SELECT $1::jsonb", params: [circular] },
      ]),
    ).rejects.toThrow();
    expect(await database.db.query("SELECT * FROM public.batch_probe WHERE org_id = 'org_c'")).toEqual([]);
  });

  it("an insert through asTenant is checked by the policy and committed", async () => {
    const tenant = asTenant(database.db, { orgId: "org_a", userId: null, principal: "test" });
    await tenant.query("INSERT INTO public.batch_probe VALUES ($1, $2)", ["org_a", "a3"]);
    await expect(tenant.query("INSERT INTO public.batch_probe VALUES ($1, $2)", ["org_b", "b2"])).rejects.toThrow(/row-level security/);
    const rows = await database.db.query<{ note: string }>("SELECT note FROM public.batch_probe WHERE note IN ('a3', 'b2')");
    expect(rows).toEqual([{ note: "a3" }]);
  });
});

describe("catalog", () => {
  it("gathers the platform's and the modules' declarations", () => {
    const catalog = catalogOf(availableModules);
    expect(catalog.scopeNames).toEqual(expect.arrayContaining(["keys:manage", "queue:read", "biomech:read"]));
    expect(catalog.idPrefixes).toMatchObject({ org: expect.any(String), key: expect.any(String), ses: expect.any(String) });
    expect(catalog.tables.map((table) => table.name)).toEqual(expect.arrayContaining(["backplane.orgs", "biomech.sessions"]));
  });

  it("refuses a scope, id prefix or table declared twice, or a table outside the module's schema", () => {
    expect(() => catalogOf([{ name: "extra", scopes: [{ name: "keys:manage", description: "again" }] }])).toThrow(
      "scope keys:manage is declared by both backplane and extra",
    );
    expect(() => catalogOf([...availableModules, { name: "extra", idPrefixes: { ses: "again" } }])).toThrow(
      "id prefix ses is declared by both biomech and extra",
    );
    expect(() => catalogOf([{ name: "extra", tables: [{ name: "biomech.x", class: "global", columns: {} }] }])).toThrow(
      "tables are named extra.<table>",
    );
    expect(() => catalogOf([{ name: "extra", scopes: [{ name: "Bad Scope", description: "" }] }])).toThrow("scopes are noun:verb");
  });
});
