import type { Database } from "../db/database.ts";
import type { MigrationFile } from "./read-migrations.ts";

/** A row of `backplane.migrations` (the table apply-migrations.ts creates). */
export interface AppliedMigrationRow {
  module: string;
  version: number;
  name: string;
  checksum: string;
  appliedAt: Date;
}

export interface MigrationStatus {
  applied: AppliedMigrationRow[];
  pending: string[];
}

/** What is applied (from the table) and what is not yet (from the files). */
export async function readMigrationStatus(db: Database, files: MigrationFile[]): Promise<MigrationStatus> {
  // A database nothing was applied to yet has no table: everything is pending.
  const [table] = await db.query<{ present: boolean }>("SELECT to_regclass('backplane.migrations') IS NOT NULL AS present");
  if (!table?.present) return { applied: [], pending: files.map((file) => `${file.module}/${file.name}`) };
  // Plain SQL, not Drizzle: importing drizzle-orm costs about a second of CPU, and every boot
  // that imports this file (the Next.js adapter's first request, `createRuntime`) would pay it.
  const applied = await db.query<AppliedMigrationRow>(
    'SELECT module, version, name, checksum, applied_at AS "appliedAt" FROM backplane.migrations ORDER BY applied_at, module, version',
  );
  const done = new Set(applied.map((row) => `${row.module}/${row.version}`));
  const pending = files.filter((file) => !done.has(`${file.module}/${file.version}`)).map((file) => `${file.module}/${file.name}`);
  return { applied, pending };
}

/** The database lacks migrations this code needs, and this process may not apply them (a serverless function). */
export class PendingMigrationsError extends Error {
  override name = "PendingMigrationsError";
  readonly pending: string[];
  constructor(pending: string[]) {
    const shown = `${pending.slice(0, 3).join(", ")}${pending.length > 3 ? ", …" : ""}`;
    super(
      `the database lacks ${pending.length} migration(s) this code needs (${shown}); run \`backplane migrate\` against DATABASE_URL as a release step`,
    );
    this.pending = pending;
  }
}
