import type { Database, Sql } from "../db/database.ts";
import type { MigrationFile } from "./read-migrations.ts";

export class MigrationError extends Error {
  override name = "MigrationError";
}

export interface AppliedMigration {
  module: string;
  version: number;
  name: string;
}

// One fixed key: every Backplane instance on a database serializes its migrations on it.
const MIGRATION_LOCK_KEY = 0x6270_6d69; // "bpmi"

const ensureTable = `
CREATE SCHEMA IF NOT EXISTS backplane;
CREATE TABLE IF NOT EXISTS backplane.migrations (
  module text NOT NULL,
  version integer NOT NULL,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (module, version)
);`;

interface AppliedRow {
  module: string;
  version: number;
  name: string;
  checksum: string;
}

/**
 * Applies pending migrations in order, each in its own transaction, under a
 * session advisory lock so instances starting together apply each one exactly once.
 * Refuses to run when an applied migration's file has changed.
 * When every one is applied already (every boot but the first after an upgrade) that is one
 * SELECT: no lock, no DDL, no session of its own.
 */
export async function applyMigrations(db: Database, migrations: MigrationFile[]): Promise<AppliedMigration[]> {
  const applied = await readApplied(db);
  if (applied && pendingAfterChecks(applied, migrations).length === 0) return [];
  return db.withSession(async (session) => {
    await session.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    try {
      await session.exec(ensureTable);
      return await applyPending(session, migrations);
    } finally {
      await session.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
    }
  });
}

/** The applied migrations by `module/version`; null when there is no migrations table yet. */
async function readApplied(db: Sql): Promise<Map<string, AppliedRow> | null> {
  try {
    const rows = await db.query<AppliedRow>("SELECT module, version, name, checksum FROM backplane.migrations");
    return new Map(rows.map((row) => [`${row.module}/${row.version}`, row]));
  } catch (error) {
    // 42P01 (no such table) or 3F000 (no such schema): a new database.
    if (["42P01", "3F000"].includes((error as { code?: string }).code ?? "")) return null;
    throw error;
  }
}

/** The migrations not applied yet; throws when an applied one's file has changed. */
function pendingAfterChecks(applied: Map<string, AppliedRow>, migrations: MigrationFile[]): MigrationFile[] {
  for (const migration of migrations) {
    const row = applied.get(`${migration.module}/${migration.version}`);
    if (row && row.checksum !== migration.checksum) {
      throw new MigrationError(
        `Migration ${migration.module}/${migration.name} was changed after it was applied; add a new migration instead of editing it`,
      );
    }
  }
  return migrations.filter((migration) => !applied.has(`${migration.module}/${migration.version}`));
}

async function applyPending(session: Sql, migrations: MigrationFile[]): Promise<AppliedMigration[]> {
  // Read again under the lock: another instance may have applied some meanwhile.
  const applied = (await readApplied(session)) ?? new Map<string, AppliedRow>();
  const done: AppliedMigration[] = [];
  for (const migration of pendingAfterChecks(applied, migrations)) {
    try {
      await session.exec("BEGIN");
      await session.exec(migration.sql);
      await session.query("INSERT INTO backplane.migrations (module, version, name, checksum) VALUES ($1, $2, $3, $4)", [
        migration.module,
        migration.version,
        migration.name,
        migration.checksum,
      ]);
      await session.exec("COMMIT");
    } catch (error) {
      await session.exec("ROLLBACK").catch(() => {});
      throw new MigrationError(`Migration ${migration.module}/${migration.name} failed: ${(error as Error).message}`);
    }
    done.push({ module: migration.module, version: migration.version, name: migration.name });
  }
  return done;
}
