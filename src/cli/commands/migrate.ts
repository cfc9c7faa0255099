import type { Command } from "commander";
import { migrationsFor } from "../../platform/boot/migrations-for.ts";
import { loadConfig } from "../../platform/config/config.ts";
import { createRuntime } from "../../runtime/create-runtime.ts";
import { printJson, quietLogger } from "../command-kit.ts";

async function runMigrate(options: { json?: boolean; status?: boolean }): Promise<void> {
  // --status only reads: no queue (on an empty database pg-boss is not installed yet either).
  const config = loadConfig(options.status ? { JOBS_ENABLED: "false" } : {});
  const runtime = await createRuntime(config, quietLogger(config, options.json), { role: "migrate", migrate: !options.status });
  try {
    const files = migrationsFor(runtime.modules);
    if (options.status) {
      // Loaded only here: Drizzle is heavy and no other command needs it.
      const { readMigrationStatus } = await import("../../platform/migrations/migration-status.ts");
      const { applied, pending } = await readMigrationStatus(runtime.services.db, files);
      if (options.json) printJson({ applied, pending });
      else {
        for (const row of applied) process.stdout.write(`applied  ${row.module}/${row.name}  ${row.appliedAt.toISOString()}\n`);
        for (const name of pending) process.stdout.write(`pending  ${name}\n`);
      }
      return;
    }
    if (options.json) printJson({ applied: runtime.applied, total: files.length });
    else if (runtime.applied.length === 0) process.stdout.write(`Database is up to date (${files.length} migrations).\n`);
    else for (const migration of runtime.applied) process.stdout.write(`applied ${migration.module}/${migration.name}\n`);
  } finally {
    await runtime.close();
  }
}

export function registerMigrateCommand(program: Command): void {
  program
    .command("migrate")
    .description("Apply pending migrations and exit")
    .option("--status", "list applied and pending migrations instead")
    .option("--json", "print the result as JSON")
    .action(runMigrate);
}
