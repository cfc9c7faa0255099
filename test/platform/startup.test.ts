import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPglite } from "../../src/platform/db/open-pglite.ts";
import { openPostgres } from "../../src/platform/db/open-postgres.ts";
import { runCli } from "../support/spawn-cli.ts";
import { createEmptyPostgresDatabase, dbKind } from "../support/test-database.ts";

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Needs no database at all: run it once, in the pglite project.
describe.runIf(dbKind === "pglite")("startup with the database down", () => {
  it("says it is the database, where it is and which variable points there, without the password", async () => {
    const port = await closedPort();
    const env = {
      DATABASE_URL: `postgres://postgres:s3cret-pw@127.0.0.1:${port}/app`,
      BACKPLANE_SECRET: "a-test-secret-a-test-secret-a-test-secret",
    };
    for (const command of [["serve"], ["worker"], ["migrate"]]) {
      const result = await runCli(command, env);
      expect(result.code, command.join(" ")).toBe(1);
      const lines = result.stderr.trim().split("\n");
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toContain(`cannot connect to the database at postgres://postgres@127.0.0.1:${port}/app (set by DATABASE_URL)`);
      expect(lines[0]).toContain("ECONNREFUSED");
      expect(result.stderr + result.stdout).not.toContain("s3cret-pw");
    }
  });
});

describe("backplane worker and MIGRATE_ON_BOOT", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "bp-worker-migrate-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("MIGRATE_ON_BOOT=false: the worker applies no migration (it stops: the queue schema is missing)", async () => {
    const secret = { BACKPLANE_SECRET: "a-test-secret-a-test-secret-a-test-secret", LOG_LEVEL: "warn" };
    if (dbKind === "postgres") {
      const empty = await createEmptyPostgresDatabase();
      try {
        const result = await runCli(["worker"], { ...secret, DATABASE_URL: empty.url, MIGRATE_ON_BOOT: "false" }, 30_000);
        expect(result.code, result.stdout + result.stderr).toBe(1);
        const db = openPostgres({ url: empty.url, poolMax: 1 });
        const [row] = await db.query<{ schemas: number }>(
          "SELECT count(*)::int AS schemas FROM pg_namespace WHERE nspname IN ('backplane', 'pgboss')",
        );
        await db.close();
        expect(row?.schemas).toBe(0);
      } finally {
        await empty.drop();
      }
    } else {
      const dataDir = path.join(dir, "data");
      const result = await runCli(["worker"], { ...secret, BACKPLANE_DATA_DIR: dataDir, MIGRATE_ON_BOOT: "false" }, 60_000);
      expect(result.code, result.stdout + result.stderr).toBe(1);
      const db = await openPglite(dataDir);
      const [row] = await db.query<{ schemas: number }>(
        "SELECT count(*)::int AS schemas FROM pg_namespace WHERE nspname IN ('backplane', 'pgboss')",
      );
      await db.close();
      expect(row?.schemas).toBe(0);
    }
  }, 90_000);
});
