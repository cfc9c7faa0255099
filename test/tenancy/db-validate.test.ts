import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { availableModules } from "../../src/modules/registry.ts";
import { migrationsFor } from "../../src/platform/boot/migrations-for.ts";
import { catalogOf } from "../../src/platform/catalog.ts";
import type { ModuleDeclarations } from "../../src/platform/module.ts";
import { validateSchema } from "../../src/platform/schema/validate-schema.ts";
import { runCli } from "../support/spawn-cli.ts";
import { createTestDatabase, dbKind, type TestDatabase } from "../support/test-database.ts";

/** A module the test plants in the database: one org table, declared with every rule kept. */
const planted: ModuleDeclarations = {
  name: "planted",
  tables: [{ name: "planted.things", class: "org", columns: { id: "text", org_id: "text", label: "text" } }],
};
const plantedSql = `
CREATE SCHEMA planted;
CREATE TABLE planted.things (id text PRIMARY KEY, org_id text NOT NULL, label text);
ALTER TABLE planted.things ENABLE ROW LEVEL SECURITY;
ALTER TABLE planted.things FORCE ROW LEVEL SECURITY;
CREATE POLICY things_select ON planted.things FOR SELECT USING (org_id = nullif(current_setting('app.org_id', true), ''));
CREATE POLICY things_insert ON planted.things FOR INSERT WITH CHECK (org_id = nullif(current_setting('app.org_id', true), ''));
CREATE POLICY things_update ON planted.things FOR UPDATE USING (org_id = nullif(current_setting('app.org_id', true), ''))
  WITH CHECK (org_id = nullif(current_setting('app.org_id', true), ''));
CREATE POLICY things_delete ON planted.things FOR DELETE USING (org_id = nullif(current_setting('app.org_id', true), ''));`;

describe("db:validate", () => {
  let database: TestDatabase;
  const validate = (extra: ModuleDeclarations[] = []) =>
    validateSchema(database.db, { catalog: catalogOf([...availableModules, ...extra]), migrations: migrationsFor(availableModules) });
  const lines = async (extra: ModuleDeclarations[] = []) =>
    (await validate(extra)).problems.map((problem) => `${problem.check} ${problem.object}: ${problem.message}`);

  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await database.close();
  });

  it("passes on the real schema, and on a planted module that keeps every rule", async () => {
    const report = await validate();
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.checked.tenantTables).toBeGreaterThanOrEqual(4);
    await database.db.exec(plantedSql);
    expect(await lines([planted])).toEqual([]);
  });

  it("fails on a tenant table whose row-level security is not forced, or not enabled", async () => {
    await database.db.exec(`${plantedSql} ALTER TABLE planted.things NO FORCE ROW LEVEL SECURITY;`);
    expect(await lines([planted])).toEqual([
      "rls planted.things: org-owned table whose row-level security is not forced (ALTER TABLE … FORCE ROW LEVEL SECURITY)",
    ]);
    await database.db.exec("ALTER TABLE biomech.sessions DISABLE ROW LEVEL SECURITY");
    expect(await lines([planted])).toContain(
      "rls biomech.sessions: org-owned table without row-level security (ALTER TABLE … ENABLE ROW LEVEL SECURITY)",
    );
  });

  it("fails on a missing policy, or one not keyed on the tenant setting", async () => {
    await database.db.exec(`${plantedSql}
      DROP POLICY things_delete ON planted.things;
      CREATE POLICY things_open ON planted.things FOR SELECT USING (true);`);
    expect(await lines([planted])).toEqual([
      "policy planted.things things_open: SELECT policy is not keyed on app.org_id (see docs/platform.md, Tenancy)",
      "policy planted.things: no DELETE policy",
    ]);
  });

  it("fails on a missing column, a column of another type, and a missing table", async () => {
    await database.db.exec(
      `${plantedSql} ALTER TABLE planted.things DROP COLUMN label; ALTER TABLE planted.things ALTER COLUMN id TYPE integer USING 0;`,
    );
    const declared: ModuleDeclarations = {
      ...planted,
      tables: [...(planted.tables ?? []), { name: "planted.gone", class: "global", columns: {}, why: "test" }],
    };
    expect(await lines([declared])).toEqual([
      "column planted.things.id: declared as text but is integer",
      "column planted.things.label: declared as text but missing",
      "table planted.gone: declared by module planted (global) but missing from the database",
    ]);
  });

  it("fails on an undeclared table in a platform or module schema", async () => {
    await database.db.exec("CREATE TABLE biomech.scratch (id int); CREATE TABLE backplane.scratch (id int)");
    expect(await lines()).toEqual([
      "undeclared backplane.scratch: table in a platform or module schema that no module declares (add it to the module's `tables`)",
      "undeclared biomech.scratch: table in a platform or module schema that no module declares (add it to the module's `tables`)",
    ]);
  });

  it("fails when the app role may UPDATE or DELETE the audit log", async () => {
    await database.db.exec("GRANT UPDATE, DELETE ON backplane.audit_events TO backplane_app");
    expect(await lines()).toEqual([
      "append-only backplane.audit_events: the app role backplane_app may UPDATE an append-only table",
      "append-only backplane.audit_events: the app role backplane_app may DELETE an append-only table",
    ]);
  });

  it("fails when applied migrations do not match their files", async () => {
    const files = migrationsFor(availableModules);
    const [first, ...rest] = files;
    if (!first) throw new Error("no migrations");
    const changed = [{ ...first, checksum: "0".repeat(64) }, ...rest, { ...first, version: 999, name: "0999_pending.sql" }];
    await database.db.query(
      "INSERT INTO backplane.migrations (module, version, name, checksum) VALUES ('biomech', 998, '0998_gone.sql', 'x')",
    );
    const report = await validateSchema(database.db, { catalog: catalogOf(availableModules), migrations: changed });
    expect(report.problems.map((problem) => `${problem.object}: ${problem.message}`)).toEqual([
      `platform/${first.name}: the file changed after it was applied`,
      "platform/0999_pending.sql: not applied (run `backplane migrate`)",
      "biomech/0998_gone.sql: applied, but its file is gone",
    ]);
  });

  it.runIf(dbKind === "postgres")("the CLI exits 0 on the real schema and 1 with one line per problem", async () => {
    const env = { DATABASE_URL: database.url as string, BACKPLANE_SECRET: "x".repeat(32) };
    const ok = await runCli(["db:validate", "--json"], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, problems: [] });
    await database.db.exec("ALTER TABLE biomech.sessions NO FORCE ROW LEVEL SECURITY");
    const bad = await runCli(["db:validate"], env);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain("rls  biomech.sessions: org-owned table whose row-level security is not forced");
    expect(bad.stdout).toMatch(/^1 problem\(s\): /m);
  });
});
