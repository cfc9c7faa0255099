import type { Command } from "commander";
import { seedDemo } from "../../modules/biomech/services/seed-demo.ts";
import type { Config } from "../../platform/config/config.ts";
import { asService } from "../../platform/tenancy/with-tenant.ts";
import type { Runtime } from "../../runtime/create-runtime.ts";
import { CliError, printJson } from "../command-kit.ts";
import { withDatabase } from "../with-database.ts";
import { onServerStart } from "./serve.ts";

function requireBiomech(runtime: Runtime): void {
  if (!runtime.modules.some((module) => module.name === "biomech")) {
    throw new CliError("the demo data belongs to the biomech module, which BACKPLANE_MODULES turns off");
  }
}

function exampleCurl(config: Config, key: string, orgId: string): string {
  const host = config.HOST === "0.0.0.0" || config.HOST === "::" ? "127.0.0.1" : config.HOST;
  return `curl -H "X-API-Key: ${key}" "http://${host}:${config.PORT}/api/biomech/sessions?orgId=${orgId}&limit=5"`;
}

/**
 * First run of `npm start` on an empty embedded database: seed the demo and print the dev
 * key. Never on a real DATABASE_URL or in production, where demo rows do not belong.
 */
function seedOnFirstStart(): void {
  onServerStart(async (runtime, options) => {
    const { config, db } = runtime.services;
    if (!options.worker || db.via === "postgres" || config.NODE_ENV === "production") return;
    if (!runtime.modules.some((module) => module.name === "biomech")) return;
    const [orgs] = await asService(db, "first start", (tx) =>
      tx.query<{ count: number }>("SELECT count(*)::int AS count FROM backplane.orgs"),
    );
    if ((orgs?.count ?? 0) > 0) return;
    const demo = await seedDemo(db, { secret: config.BACKPLANE_SECRET });
    const org = demo.orgs[0];
    runtime.services.log.info({ orgs: demo.orgs.length, sessions: demo.sessions }, "seeded demo data on first start");
    process.stdout.write(
      `\n  Demo data: ${demo.orgs.length} orgs, ${demo.athletes.length} athletes, ${demo.sessions} sessions.\n` +
        `  Dev API key (biomech:read on ${org?.name}):\n\n    ${demo.key.key}\n\n` +
        `  Try:\n    ${exampleCurl(config, demo.key.key, demo.key.orgId)}\n` +
        "  (`backplane seed --demo` prints this again.)\n",
    );
  });
}

export function registerSeedCommand(program: Command): void {
  seedOnFirstStart();
  program
    .command("seed")
    .description("Seed data into the configured database")
    .option("--demo", "two orgs, six athletes, 1,000 biomech sessions and a dev key (idempotent)")
    .option("--json", "print the org ids, athlete ids and the dev key as JSON")
    .action((options: { demo?: boolean; json?: boolean }) => {
      if (!options.demo) throw new CliError("say what to seed: --demo");
      return withDatabase("cli", options.json, async (runtime, config) => {
        requireBiomech(runtime);
        const demo = await seedDemo(runtime.services.db, { secret: config.BACKPLANE_SECRET });
        if (options.json) return printJson(demo);
        process.stdout.write(
          `Demo data present: ${demo.orgs.map((org) => `${org.name} (${org.id})`).join(", ")}; ${demo.athletes.length} athletes; ${demo.sessions} sessions.\n\n` +
            `Dev API key ${demo.key.id} (biomech:read on ${demo.key.orgId})${demo.key.revoked ? " [REVOKED]" : ""}:\n\n  ${demo.key.key}\n\n` +
            `Try:\n  ${exampleCurl(config, demo.key.key, demo.key.orgId)}\n`,
        );
      });
    });
}
