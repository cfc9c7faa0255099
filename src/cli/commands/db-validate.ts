import type { Command } from "commander";
import { migrationsFor } from "../../platform/boot/migrations-for.ts";
import { loadConfig } from "../../platform/config/config.ts";
import { validateSchema } from "../../platform/schema/validate-schema.ts";
import { createRuntime } from "../../runtime/create-runtime.ts";
import { printJson, quietLogger } from "../command-kit.ts";

async function runValidate(options: { json?: boolean }): Promise<void> {
  const started = performance.now();
  // Reads only: no migrations applied first (pending ones are reported), no job queue started.
  const config = { ...loadConfig(), JOBS_ENABLED: false };
  const runtime = await createRuntime(config, quietLogger(config, options.json), { role: "validate", migrate: false });
  try {
    const report = await validateSchema(runtime.services.db, { catalog: runtime.catalog, migrations: migrationsFor(runtime.modules) });
    const ms = Math.round(performance.now() - started);
    if (options.json) printJson({ ...report, ms });
    else {
      for (const problem of report.problems) process.stdout.write(`${problem.check}  ${problem.object}: ${problem.message}\n`);
      const { tables, columns, tenantTables, migrations } = report.checked;
      process.stdout.write(
        `${report.ok ? "ok" : `${report.problems.length} problem(s)`}: ${tables} declared tables (${tenantTables} tenant), ${columns} columns, ${migrations} migrations checked in ${ms} ms\n`,
      );
    }
    if (!report.ok) process.exitCode = 1;
  } finally {
    await runtime.close();
  }
}

export function registerDbValidateCommand(program: Command): void {
  program
    .command("db:validate")
    .description(
      "Check the database against what the modules declare: tables and column types, row-level security and policies on tenant tables, no undeclared tables, append-only tables, migrations, the app role. Exit 1 with one line per problem.",
    )
    .option("--json", "print { ok, problems: [{ check, object, message }], checked, ms }")
    .action(runValidate);
}
