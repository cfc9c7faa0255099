import type { Command } from "commander";
import { createRuntime } from "../../platform/boot/create-runtime.ts";
import { migrationsFor } from "../../platform/boot/migrations-for.ts";
import { loadConfig } from "../../platform/config/config.ts";
import { printJson, quietLogger } from "../command-kit.ts";

async function runMigrate(options: { json?: boolean }): Promise<void> {
  const config = loadConfig();
  const runtime = await createRuntime(config, quietLogger(config, options.json), { role: "migrate" });
  const total = migrationsFor(runtime.modules).length;
  await runtime.close();
  if (options.json) printJson({ applied: runtime.applied, total });
  else if (runtime.applied.length === 0) process.stdout.write(`Database is up to date (${total} migrations).\n`);
  else for (const migration of runtime.applied) process.stdout.write(`applied ${migration.module}/${migration.name}\n`);
}

export function registerMigrateCommand(program: Command): void {
  program
    .command("migrate")
    .description("Apply pending migrations and exit")
    .option("--json", "print the result as JSON")
    .action(runMigrate);
}
