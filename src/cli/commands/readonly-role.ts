import type { Command } from "commander";
import { readonlyRoleSql } from "../../platform/db/readonly-role.ts";
import { randomChars } from "../../platform/ids.ts";
import { CliError, printJson } from "../command-kit.ts";
import { withDatabase } from "../with-database.ts";

// The schemas the read-only role may read: the biomech read API's. Platform tables
// (api_keys, orgs) are deliberately not readable by it.
const READONLY_SCHEMAS = ["biomech"];
const ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

interface Options {
  role: string;
  print?: boolean;
  resetPassword?: boolean;
  owner?: string;
  json?: boolean;
}

function urlFor(databaseUrl: string, role: string, password: string): string {
  const url = new URL(databaseUrl);
  url.username = role;
  url.password = password;
  return url.toString();
}

async function run(options: Options): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(options.role))
    throw new CliError(`--role: must be a lowercase SQL identifier (got "${options.role}")`);
  const password = randomChars(32, ALPHANUMERIC);
  await withDatabase("cli", options.json || options.print, async ({ services }, config) => {
    const [who] = await services.db.query<{ current_user: string }>("SELECT current_user");
    const owner = options.owner ?? who?.current_user ?? "postgres";
    const sql = readonlyRoleSql({ role: options.role, schemas: READONLY_SCHEMAS, password, owner, resetPassword: options.resetPassword });
    if (options.print) {
      process.stdout.write(`${sql}-- Then set DATABASE_URL_READONLY to a URL with user ${options.role} and the password above.\n`);
      return;
    }
    if (services.db.via !== "postgres" || !config.DATABASE_URL) {
      throw new CliError(
        "db:readonly-role needs a real PostgreSQL (set DATABASE_URL); the embedded database has a single user. Use --print to see the SQL.",
      );
    }
    const existed = (await services.db.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [options.role])).length > 0;
    await services.db.exec(sql);
    const passwordSet = !existed || options.resetPassword === true;
    const url = passwordSet ? urlFor(config.DATABASE_URL, options.role, password) : null;
    if (options.json) return printJson({ role: options.role, created: !existed, schemas: READONLY_SCHEMAS, databaseUrlReadonly: url });
    process.stdout.write(
      `${existed ? "Updated grants of" : "Created"} read-only role ${options.role} (SELECT on ${READONLY_SCHEMAS.join(", ")}).\n`,
    );
    if (url) process.stdout.write(`\nSet this where the API runs (shown once):\n\n  DATABASE_URL_READONLY=${url}\n\n`);
    else process.stdout.write("Its password was left as it was (--reset-password sets a new one).\n");
  });
}

export function registerReadonlyRoleCommand(program: Command): void {
  program
    .command("db:readonly-role")
    .description("Create (or update) a login role with CONNECT, USAGE and SELECT on the biomech schema, for DATABASE_URL_READONLY")
    .option("--role <name>", "role name", "backplane_readonly")
    .option("--print", "print the SQL instead of running it")
    .option("--reset-password", "give an existing role a new password")
    .option("--owner <role>", "role that runs migrations (default privileges are recorded for it; default: the current user)")
    .option("--json", "print the role and its connection string as JSON")
    .action((options: Options) => run(options));
}
