import path from "node:path";
import type { Database } from "../db/database.ts";
import { installQueueSchema } from "../jobs/install-queue-schema.ts";
import type { AppliedMigration } from "../migrations/apply-migrations.ts";
import { applyMigrations } from "../migrations/apply-migrations.ts";
import { type MigrationFile, readMigrations } from "../migrations/read-migrations.ts";
import type { BackplaneModule } from "../module.ts";
import { migrationsRoot } from "../paths.ts";
import { grantEnqueue } from "../tenancy/grant-enqueue.ts";

/** The platform's migrations first, then each module's, each in version order. */
export function migrationsFor(modules: BackplaneModule[], root = migrationsRoot): MigrationFile[] {
  return ["platform", ...modules.map((module) => module.name)].flatMap((name) => readMigrations(name, path.join(root, name)));
}

export async function migrateAll(db: Database, modules: BackplaneModule[], root = migrationsRoot): Promise<AppliedMigration[]> {
  const applied = await applyMigrations(db, migrationsFor(modules, root));
  // The job queue's tables are pg-boss's own, versioned and upgraded by pg-boss.
  const queue = await installQueueSchema(db);
  await grantEnqueue(db);
  return [...applied, ...queue];
}
