import type { Command } from "commander";
import { serviceSource } from "../../platform/audit/record-audit-event.ts";
import { createOrg } from "../../platform/orgs/create-org.ts";
import { type OrgRow, orgColumns, toOrg } from "../../platform/orgs/org-record.ts";
import { asService } from "../../platform/tenancy/with-tenant.ts";
import { printJson } from "../command-kit.ts";
import { withDatabase } from "../with-database.ts";

export function registerOrgsCommand(program: Command): void {
  const orgs = program.command("orgs").description("Manage orgs (tenants)");
  orgs
    .command("create")
    .description("Create an org")
    .requiredOption("--name <name>", "display name")
    .option("--slug <slug>", "URL-safe unique slug (default: from the name)")
    .option("--json", "print the org as JSON")
    .action((options: { name: string; slug?: string; json?: boolean }) =>
      withDatabase("cli", options.json, async ({ services }) => {
        const org = await asService(services.db, "cli orgs create", (tx) =>
          createOrg(tx, { name: options.name, slug: options.slug, audit: serviceSource("cli") }),
        );
        if (options.json) printJson(org);
        else process.stdout.write(`Created org ${org.id} (${org.name}, slug ${org.slug})\n`);
      }),
    );
  orgs
    .command("list")
    .description("List orgs, oldest first")
    .option("--json", "print the orgs as JSON")
    .action((options: { json?: boolean }) =>
      withDatabase("cli", options.json, async ({ services }) => {
        const rows = await asService(services.db, "cli orgs list", (tx) =>
          tx.query<OrgRow>(`SELECT ${orgColumns} FROM backplane.orgs ORDER BY created_at, id`),
        );
        const list = rows.map(toOrg);
        if (options.json) printJson(list);
        else for (const org of list) process.stdout.write(`${org.id}  ${org.slug}  ${org.name}\n`);
      }),
    );
}
