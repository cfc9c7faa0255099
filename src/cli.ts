import { Command } from "commander";
import { fail } from "./cli/command-kit.ts";
import { registerDbValidateCommand } from "./cli/commands/db-validate.ts";
import { registerDlqCommands } from "./cli/commands/dlq.ts";
import { registerKeysCommand } from "./cli/commands/keys.ts";
import { registerMigrateCommand } from "./cli/commands/migrate.ts";
import { registerOrgsCommand } from "./cli/commands/orgs.ts";
import { registerReadonlyRoleCommand } from "./cli/commands/readonly-role.ts";
import { registerSeedCommand } from "./cli/commands/seed.ts";
import { registerServeCommands } from "./cli/commands/serve.ts";
import { registerWorkerCommand } from "./cli/commands/worker.ts";

export function buildCli(): Command {
  const program = new Command("backplane")
    .description("Backplane: API keys, jobs, webhooks, health and OpenAPI on PostgreSQL")
    .showHelpAfterError();
  // One register function per command file; add new commands here.
  registerServeCommands(program);
  registerWorkerCommand(program);
  registerDlqCommands(program);
  registerMigrateCommand(program);
  registerDbValidateCommand(program);
  registerOrgsCommand(program);
  registerKeysCommand(program);
  registerReadonlyRoleCommand(program);
  registerSeedCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    fail(error);
  }
}
