import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { inArray } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { availableModules } from "../../src/modules/registry.ts";
import { migrationsFor } from "../../src/platform/boot/migrations-for.ts";
import { openPostgres } from "../../src/platform/db/open-postgres.ts";
import { applyMigrations, MigrationError } from "../../src/platform/migrations/apply-migrations.ts";
import { migrationsTable } from "../../src/platform/migrations/migrations-table.ts";
import { readMigrations } from "../../src/platform/migrations/read-migrations.ts";
import { runCli } from "../support/spawn-cli.ts";
import { createEmptyPostgresDatabase, createTestDatabase, dbKind, type TestDatabase } from "../support/test-database.ts";

describe("migrations", () => {
  let root: string;
  let database: TestDatabase;

  const write = (module: string, file: string, sql: string) => {
    mkdirSync(path.join(root, module), { recursive: true });
    writeFileSync(path.join(root, module, file), sql);
  };
  const load = () => ["alpha", "beta"].flatMap((module) => readMigrations(module, path.join(root, module)));
  const applied = async () =>
    database.db.query<{ module: string; version: number }>(
      "SELECT module, version FROM backplane.migrations WHERE module IN ('alpha', 'beta') ORDER BY applied_at, module, version",
    );

  beforeEach(async () => {
    root = mkdtempSync(path.join(tmpdir(), "bp-migrations-"));
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await database.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("applies in order (by module, then version) and once", async () => {
    write("alpha", "0002_add_column.sql", "ALTER TABLE alpha_items ADD COLUMN label text;");
    write("alpha", "0001_create.sql", "CREATE TABLE alpha_items (id int PRIMARY KEY);");
    write("beta", "0001_view.sql", "CREATE VIEW beta_labels AS SELECT label FROM alpha_items;");

    const first = await applyMigrations(database.db, load());
    // Read back through Drizzle too: the ORM and the raw seam see the same table.
    const viaOrm = await (await database.db.orm())
      .select()
      .from(migrationsTable)
      .where(inArray(migrationsTable.module, ["alpha", "beta"]));
    expect(viaOrm.map((row) => `${row.module}/${row.version}`).sort()).toEqual(["alpha/1", "alpha/2", "beta/1"]);
    expect(first.map((m) => `${m.module}/${m.version}`)).toEqual(["alpha/1", "alpha/2", "beta/1"]);
    expect(await applied()).toHaveLength(3);

    const second = await applyMigrations(database.db, load());
    expect(second).toEqual([]);
    expect(await applied()).toHaveLength(3);

    write("beta", "0002_more.sql", "CREATE TABLE beta_more (id int);\nCREATE INDEX beta_more_id ON beta_more (id);");
    const third = await applyMigrations(database.db, load());
    expect(third.map((m) => `${m.module}/${m.version}`)).toEqual(["beta/2"]);
  });

  it("refuses to run when an applied migration was changed, and applies nothing", async () => {
    write("alpha", "0001_create.sql", "CREATE TABLE alpha_items (id int PRIMARY KEY);");
    await applyMigrations(database.db, load());
    write("alpha", "0001_create.sql", "CREATE TABLE alpha_items (id bigint PRIMARY KEY);");
    write("alpha", "0002_next.sql", "CREATE TABLE alpha_next (id int);");
    await expect(applyMigrations(database.db, load())).rejects.toThrow(MigrationError);
    await expect(applyMigrations(database.db, load())).rejects.toThrow(/alpha\/0001_create\.sql was changed/);
    const tables = await database.db.query("SELECT 1 FROM pg_tables WHERE tablename = 'alpha_next'");
    expect(tables).toHaveLength(0);
  });

  it("rolls a failing migration back whole and records nothing for it", async () => {
    write("alpha", "0001_ok.sql", "CREATE TABLE alpha_ok (id int);");
    write("alpha", "0002_broken.sql", "CREATE TABLE alpha_half (id int);\nSELECT * FROM no_such_table;");
    await expect(applyMigrations(database.db, load())).rejects.toThrow(/alpha\/0002_broken\.sql failed/);
    expect((await applied()).map((row) => row.version)).toEqual([1]);
    expect(await database.db.query("SELECT 1 FROM pg_tables WHERE tablename = 'alpha_half'")).toHaveLength(0);
  });

  it("rejects badly named files instead of skipping them", () => {
    write("alpha", "1_create.sql", "SELECT 1;");
    expect(() => load()).toThrow(/NNNN_lowercase_words\.sql/);
  });

  // Every boot runs this; with nothing to apply it must not queue behind another instance's migration.
  it.runIf(dbKind === "postgres")("with nothing pending, does not wait for the migration lock; with something pending, does", async () => {
    write("alpha", "0001_create.sql", "CREATE TABLE alpha_items (id int PRIMARY KEY);");
    await applyMigrations(database.db, load());
    const other = openPostgres({ url: database.url as string, poolMax: 1 });
    const within = <T>(promise: Promise<T>, ms: number) =>
      Promise.race([promise, new Promise<"still waiting">((resolve) => setTimeout(() => resolve("still waiting"), ms))]);
    try {
      let pending: Promise<unknown> = Promise.resolve();
      await other.withSession(async (session) => {
        await session.query("SELECT pg_advisory_lock($1)", [0x6270_6d69]);
        try {
          expect(await within(applyMigrations(database.db, load()), 5_000)).toEqual([]);
          write("alpha", "0002_add_column.sql", "ALTER TABLE alpha_items ADD COLUMN label text;");
          pending = applyMigrations(database.db, load());
          expect(await within(pending, 500)).toBe("still waiting");
        } finally {
          await session.query("SELECT pg_advisory_unlock($1)", [0x6270_6d69]);
        }
      });
      expect(await pending).toEqual([{ module: "alpha", version: 2, name: "0002_add_column.sql" }]);
    } finally {
      await other.close();
    }
  });

  it("the shipped migrations are all applied in the test template", async () => {
    const rows = await database.db.query<{ count: number }>("SELECT count(*)::int AS count FROM backplane.migrations");
    expect(rows[0]?.count).toBe(migrationsFor(availableModules).length);
  });
});

describe("backplane migrate --status", () => {
  it("on an empty database lists every migration as pending and applies nothing", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "backplane-status-"));
    try {
      const status = await runCli(["migrate", "--status", "--json"], { BACKPLANE_DATA_DIR: dataDir });
      expect(status.code, status.stderr).toBe(0);
      const expected = migrationsFor(availableModules).map((file) => `${file.module}/${file.name}`);
      expect(JSON.parse(status.stdout)).toEqual({ applied: [], pending: expected });
      const again = await runCli(["migrate", "--status"], { BACKPLANE_DATA_DIR: dataDir });
      expect(again.stdout.trim().split("\n")).toEqual(expected.map((name) => `pending  ${name}`));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe.runIf(dbKind === "postgres")("concurrent start (real PostgreSQL, two processes)", () => {
  it("two `backplane migrate` started together both exit 0 and apply each migration once", async () => {
    const target = await createEmptyPostgresDatabase();
    try {
      const env = { DATABASE_URL: target.url };
      const [a, b] = await Promise.all([runCli(["migrate", "--json"], env), runCli(["migrate", "--json"], env)]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      const status = await runCli(["migrate", "--status", "--json"], env);
      expect(status.code, status.stderr).toBe(0);
      expect(JSON.parse(status.stdout).pending).toEqual([]);
      const total = JSON.parse(status.stdout).applied.length;
      expect(total).toBeGreaterThanOrEqual(migrationsFor(availableModules).length);
      // Count the SQL files (the queue reports its own schema install in the same list).
      const sqlApplied = (result: { stdout: string }) =>
        (JSON.parse(result.stdout).applied as { name: string }[]).filter((migration) => migration.name.endsWith(".sql")).length;
      expect(sqlApplied(a) + sqlApplied(b)).toBe(total);

      const db = openPostgres({ url: target.url, poolMax: 1 });
      const rows = await db.query<{ module: string; version: number; n: number }>(
        "SELECT module, version, count(*)::int AS n FROM backplane.migrations GROUP BY module, version",
      );
      await db.close();
      expect(rows).toHaveLength(total);
      expect(rows.every((row) => row.n === 1)).toBe(true);
    } finally {
      await target.drop();
    }
  });
});
