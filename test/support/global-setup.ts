import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { availableModules } from "../../src/modules/registry.ts";
import { migrateAll } from "../../src/platform/boot/migrations-for.ts";
import { openPglite } from "../../src/platform/db/open-pglite.ts";
import { openPostgres } from "../../src/platform/db/open-postgres.ts";
import { databaseUrl } from "./postgres-url.ts";

/**
 * Migrates one template per run; each test then starts from a copy of it
 * (a PGlite data dump, or CREATE DATABASE … TEMPLATE), well under a second.
 */
export default async function setup(project: TestProject) {
  const kind = project.config.provide.dbKind ?? "pglite";
  if (kind === "pglite") {
    const dir = mkdtempSync(path.join(tmpdir(), "backplane-test-"));
    const db = await openPglite(undefined);
    await migrateAll(db, availableModules);
    const dump = await db.pglite.dumpDataDir("none");
    await db.close();
    const file = path.join(dir, "template.tar");
    writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
    project.provide("template", file);
    return () => rmSync(dir, { recursive: true, force: true });
  }

  const baseUrl = project.config.provide.postgresUrl ?? "";
  const template = `bp_tpl_${process.pid}_${Date.now().toString(36)}`;
  const admin = openPostgres({ url: baseUrl, poolMax: 1 });
  await admin.exec(`CREATE DATABASE ${template}`);
  const db = openPostgres({ url: databaseUrl(baseUrl, template), poolMax: 2 });
  await migrateAll(db, availableModules);
  await db.close();
  project.provide("template", template);
  return async () => {
    await admin.exec(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await admin.close();
  };
}
