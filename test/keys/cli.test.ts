import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPglite } from "../../src/platform/db/open-pglite.ts";
import { openPostgres } from "../../src/platform/db/open-postgres.ts";
import { runCli, startCli, waitFor } from "../support/spawn-cli.ts";
import { createEmptyPostgresDatabase, dbKind } from "../support/test-database.ts";

const SECRET = "cli-test-secret-cli-test-secret-0123456789";

/** The CLI against a database of its own: a temp embedded folder, or a fresh real database. */
describe("keys, orgs and seed commands", () => {
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;
  const cli = async (...args: string[]) => {
    const result = await runCli(args, env, 60_000);
    expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(0);
    return result.stdout;
  };

  beforeAll(async () => {
    if (dbKind === "postgres") {
      const database = await createEmptyPostgresDatabase();
      env = { DATABASE_URL: database.url, BACKPLANE_SECRET: SECRET };
      cleanup = database.drop;
    } else {
      const dir = mkdtempSync(path.join(tmpdir(), "backplane-cli-"));
      env = { BACKPLANE_DATA_DIR: path.join(dir, "data"), BACKPLANE_SECRET: SECRET };
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    }
  });
  afterAll(() => cleanup?.());

  it("orgs create, keys create/list/rotate/revoke", async () => {
    const org = JSON.parse(await cli("orgs", "create", "--name", "Cli Org", "--json"));
    expect(org.id).toMatch(/^org_/);

    const created = JSON.parse(
      await cli("keys", "create", "--name", "svc", "--org", org.id, "--scopes", "biomech:read", "--expires-in", "30d", "--json"),
    );
    expect(Object.keys(created)).toEqual(expect.arrayContaining(["id", "key", "prefix", "scopes", "orgId", "expiresAt"]));
    expect(created).toMatchObject({ orgId: org.id, scopes: ["biomech:read"] });
    expect(Math.abs(Date.parse(created.expiresAt) - (Date.now() + 30 * 86_400_000))).toBeLessThan(60_000);

    const listed = await cli("keys", "list", "--org", org.id, "--json");
    expect(listed).not.toContain(created.key);
    expect(JSON.parse(listed).map((key: { id: string }) => key.id)).toEqual([created.id]);

    const rotated = JSON.parse(await cli("keys", "rotate", created.id, "--overlap", "1h", "--json"));
    expect(rotated.key).not.toBe(created.key);
    expect(Math.abs(Date.parse(rotated.previous.expiresAt) - (Date.now() + 3_600_000))).toBeLessThan(60_000);

    await cli("keys", "revoke", rotated.id);
    const after = JSON.parse(await cli("keys", "list", "--json"));
    expect(after.find((key: { id: string }) => key.id === rotated.id).revokedAt).not.toBeNull();

    const bad = await runCli(["keys", "create", "--name", "x", "--scopes", "biomech:raed"], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("unknown scope biomech:raed");
  }, 180_000); // seven CLI processes, each opening the database

  it("seed --demo is idempotent and prints the same working key", async () => {
    const first = JSON.parse(await cli("seed", "--demo", "--json"));
    expect(first.orgs).toHaveLength(2);
    expect(first.athletes.length).toBeGreaterThanOrEqual(4);
    expect(first.sessions).toBe(1000);
    expect(first.key).toMatchObject({ orgId: first.orgs[0].id, scopes: ["biomech:read"] });
    expect(first.key.key).toMatch(/^bp_test_/);
    const second = JSON.parse(await cli("seed", "--demo", "--json"));
    expect(second).toEqual(first);
    const keys = JSON.parse(await cli("keys", "list", "--org", first.orgs[0].id, "--json"));
    expect(keys).toHaveLength(1);
  }, 120_000);

  it("keys list reads every page (more keys than one page of 200)", async () => {
    const org = JSON.parse(await cli("orgs", "create", "--name", "Many Keys", "--json"));
    // Rows written straight to the database (no CLI running holds it): 250 keys in one statement.
    const db = env.DATABASE_URL ? openPostgres({ url: env.DATABASE_URL, poolMax: 1 }) : await openPglite(env.BACKPLANE_DATA_DIR);
    try {
      await db.query(
        `INSERT INTO backplane.api_keys (id, org_id, name, digest, prefix, environment, scopes, created_by)
         SELECT 'key_bulk' || g, $1, 'bulk', lpad(to_hex(g), 64, '0'), 'bp_live_bulk', 'live', ARRAY['biomech:read'], 'test'
         FROM generate_series(1, 250) AS g`,
        [org.id],
      );
    } finally {
      await db.close();
    }
    const listed: { id: string }[] = JSON.parse(await cli("keys", "list", "--org", org.id, "--json"));
    expect(listed).toHaveLength(250);
    expect(new Set(listed.map((key) => key.id)).size).toBe(250);
  }, 120_000);
});

describe.runIf(dbKind === "pglite")("npm start on an empty embedded database", () => {
  it("seeds the demo, prints the dev key and a curl that works", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "backplane-start-"));
    const child = startCli(["start"], {
      BACKPLANE_DATA_DIR: path.join(dir, "data"),
      PORT: "0",
      BACKPLANE_EMBEDDED_PG_PORT: "0",
      BACKPLANE_SECRET: SECRET,
    });
    try {
      const url = await waitFor(async () => /Backplane is up: (\S+)/.exec(child.output().stdout)?.[1], 60_000, "server up");
      const out = child.output().stdout;
      const key = /\n\s+(bp_test_[0-9A-Za-z]{30})\n/.exec(out)?.[1];
      const orgId = /orgId=(org_[0-9a-z]+)/.exec(out)?.[1];
      expect(key, out).toBeDefined();
      expect(out).toContain("curl -H");
      const res = await fetch(`${url}/api/biomech/sessions?orgId=${orgId}&limit=3`, { headers: { "x-api-key": key as string } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { data: unknown[] }).data).toHaveLength(3);
    } finally {
      child.kill("SIGTERM");
      await child.done;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
