import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemo } from "../../src/modules/biomech/services/seed-demo.ts";
import { ConfigError, parseConfig } from "../../src/platform/config/config.ts";
import { DEVELOPMENT_SECRET_FILE, developmentSecretIn } from "../../src/platform/config/development-secret.ts";
import { runCli } from "../support/spawn-cli.ts";
import { createEmptyPostgresDatabase, createTestDatabase, dbKind } from "../support/test-database.ts";

const PUBLISHED = "backplane-development-secret-not-for-production";

describe("the development secret", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "bp-dev-secret-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const load = (env: Record<string, string>) => parseConfig(env, { developmentSecret: developmentSecretIn });

  it("is random per install, kept (0600) in the data folder, and the same on the next start", () => {
    const a = load({ BACKPLANE_DATA_DIR: path.join(dir, "a") });
    const b = load({ BACKPLANE_DATA_DIR: path.join(dir, "b") });
    expect(a.BACKPLANE_SECRET).not.toBe(b.BACKPLANE_SECRET);
    expect(a.BACKPLANE_SECRET).not.toBe(PUBLISHED);
    expect(a.BACKPLANE_SECRET.length).toBeGreaterThanOrEqual(32);
    const file = path.join(dir, "a", DEVELOPMENT_SECRET_FILE);
    expect(readFileSync(file, "utf8").trim()).toBe(a.BACKPLANE_SECRET);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(load({ BACKPLANE_DATA_DIR: path.join(dir, "a") }).BACKPLANE_SECRET).toBe(a.BACKPLANE_SECRET);
    // Without a data folder to keep it in (tests, one-off tools) it is random, never a constant.
    expect(parseConfig({}).BACKPLANE_SECRET).not.toBe(parseConfig({}).BACKPLANE_SECRET);
  });

  it("the published development value is refused everywhere", () => {
    for (const NODE_ENV of ["development", "test", "production"]) {
      expect(() => parseConfig({ NODE_ENV, BACKPLANE_SECRET: PUBLISHED })).toThrow(ConfigError);
    }
  });

  it("a missing secret is refused in production and on a non-loopback HOST", () => {
    expect(() => parseConfig({ NODE_ENV: "production" })).toThrow(/BACKPLANE_SECRET: is required when NODE_ENV=production/);
    for (const HOST of ["0.0.0.0", "::", "192.168.1.20", "example.com"]) {
      expect(() => parseConfig({ HOST }), HOST).toThrow(/BACKPLANE_SECRET: is required when HOST .* is not a loopback address/);
    }
    for (const HOST of ["127.0.0.1", "localhost", "::1", "[::1]", "127.0.1.1"]) {
      expect(parseConfig({ HOST }).BACKPLANE_SECRET.length, HOST).toBeGreaterThanOrEqual(32);
    }
    const secret = "an-operator-secret-an-operator-secret-0123";
    expect(parseConfig({ HOST: "0.0.0.0", BACKPLANE_SECRET: secret }).BACKPLANE_SECRET).toBe(secret);
  });

  it.runIf(dbKind === "pglite")("`serve` on HOST=0.0.0.0 without a secret stops with one line", async () => {
    const result = await runCli(["serve"], { HOST: "0.0.0.0", PORT: "0", BACKPLANE_DATA_DIR: path.join(dir, "exposed") }, 15_000);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^backplane: Invalid configuration: BACKPLANE_SECRET: is required when HOST \(0\.0\.0\.0\)/);
  });

  it("demo org, athlete and key ids differ per install and are stable within one", async () => {
    const [database, otherDatabase] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    try {
      const first = await seedDemo(database.db, { secret: "install-one-secret-install-one-secret-0001" });
      const again = await seedDemo(database.db, { secret: "install-one-secret-install-one-secret-0001" });
      expect(again.orgs).toEqual(first.orgs);
      expect(again.key.key).toBe(first.key.key);
      const other = await seedDemo(otherDatabase.db, { secret: "install-two-secret-install-two-secret-0002" });
      expect(other.orgs.map((org) => org.id)).not.toEqual(expect.arrayContaining(first.orgs.map((org) => org.id)));
      expect(other.key.id).not.toBe(first.key.id);
      expect(other.key.key).not.toBe(first.key.key);
    } finally {
      await Promise.all([database.close(), otherDatabase.close()]);
    }
  });

  // The whole path a developer takes (no BACKPLANE_SECRET, the CLI's own config loading), on two installs.
  it.runIf(dbKind === "postgres")(
    "two installs without BACKPLANE_SECRET print different dev keys; one install keeps its key",
    async () => {
      const installs = await Promise.all([createEmptyPostgresDatabase(), createEmptyPostgresDatabase()]);
      try {
        const seed = async (index: number) => {
          const env = { DATABASE_URL: installs[index]?.url as string, BACKPLANE_DATA_DIR: path.join(dir, `install-${index}`) };
          const result = await runCli(["seed", "--demo", "--json"], env, 60_000);
          expect(result.code, result.stderr).toBe(0);
          return JSON.parse(result.stdout) as { orgs: { id: string }[]; key: { key: string } };
        };
        const one = await seed(0);
        const two = await seed(1);
        expect(two.key.key).not.toBe(one.key.key);
        expect(two.orgs[0]?.id).not.toBe(one.orgs[0]?.id);
        expect((await seed(0)).key.key).toBe(one.key.key);
      } finally {
        await Promise.all(installs.map((install) => install.drop()));
      }
    },
    120_000,
  );
});
