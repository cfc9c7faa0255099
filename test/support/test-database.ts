import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { inject } from "vitest";
import type { Database } from "../../src/platform/db/database.ts";
import { openPglite } from "../../src/platform/db/open-pglite.ts";
import { openPostgres } from "../../src/platform/db/open-postgres.ts";
import { databaseUrl } from "./postgres-url.ts";

export const dbKind = inject("dbKind");
export const postgresUrl = inject("postgresUrl");
export const redisUrl = inject("redisUrl");

export interface TestDatabase {
  db: Database;
  /** Connection string for another process; null on in-process PGlite. */
  url: string | null;
  close(): Promise<void>;
}

let templateDump: Blob | null = null;

/** A private, migrated database: a copy of the run's template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (dbKind === "pglite") {
    templateDump ??= new Blob([readFileSync(inject("template"))]);
    const db = await openPglite(undefined, templateDump);
    return { db, url: null, close: () => db.close() };
  }
  const url = await createEmptyPostgresDatabase(inject("template"));
  const db = openPostgres({ url: url.url, poolMax: 5 });
  return {
    db,
    url: url.url,
    close: async () => {
      await db.close();
      await url.drop();
    },
  };
}

/** A fresh database on the real server (optionally a copy of a template), dropped by `drop()`. */
export async function createEmptyPostgresDatabase(template?: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `bp_test_${randomBytes(6).toString("hex")}`;
  const admin = openPostgres({ url: postgresUrl, poolMax: 1 });
  await admin.exec(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ""}`);
  return {
    url: databaseUrl(postgresUrl, name),
    drop: async () => {
      await admin.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.close();
    },
  };
}
