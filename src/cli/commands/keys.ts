import { type Command, Option } from "commander";
import { serviceSource } from "../../platform/audit/record-audit-event.ts";
import { keyVerifierFor } from "../../platform/auth/key-verifier.ts";
import type { Sql } from "../../platform/db/database.ts";
import { createKey } from "../../platform/keys/create-key.ts";
import type { CreatedKey, KeyInfo } from "../../platform/keys/key-record.ts";
import { type KeyPosition, listKeys } from "../../platform/keys/list-keys.ts";
import { revokeKey } from "../../platform/keys/revoke-key.ts";
import { rotateKey } from "../../platform/keys/rotate-key.ts";
import { asService } from "../../platform/tenancy/with-tenant.ts";
import { CliError, printJson } from "../command-kit.ts";
import { parseDuration } from "../parse-duration.ts";
import { withDatabase } from "../with-database.ts";

const createdJson = (key: CreatedKey) => ({
  id: key.id,
  key: key.key,
  prefix: key.prefix,
  name: key.name,
  scopes: key.scopes,
  orgId: key.orgId,
  environment: key.environment,
  expiresAt: key.expiresAt,
});

function printCreated(key: CreatedKey): void {
  process.stdout.write(
    `Created key ${key.id} (${key.name}) for ${key.orgId ?? "all orgs (platform-wide)"} with scopes ${key.scopes.join(", ")}${
      key.expiresAt ? `, expires ${key.expiresAt}` : ""
    }\n\n  ${key.key}\n\nThis is the only time the key is shown: store it now.\n`,
  );
}

function status(key: KeyInfo): string {
  if (key.revokedAt) return "revoked";
  if (key.expiresAt && Date.parse(key.expiresAt) <= Date.now()) return "expired";
  if (key.replacedBy) return `rotated (until ${key.expiresAt})`;
  return "active";
}

export function registerKeysCommand(program: Command): void {
  const keys = program.command("keys").description("Manage API keys (the secret is shown once, at creation)");

  keys
    .command("create")
    .description("Create an API key")
    .requiredOption("--name <name>", "what the key is for")
    .requiredOption("--scopes <list>", "comma list, e.g. biomech:read,keys:manage")
    .option("--org <id>", "bind the key to one org (default: platform-wide)")
    .option("--expires-in <duration>", "e.g. 30d, 12h (default: no expiry)")
    .addOption(new Option("--environment <env>", "key prefix bp_live_ or bp_test_").choices(["live", "test"]).default("live"))
    .option("--json", "print id, key, prefix, scopes, orgId, expiresAt as JSON")
    .action((options: { name: string; scopes: string; org?: string; expiresIn?: string; environment: "live" | "test"; json?: boolean }) =>
      withDatabase("cli", options.json, async ({ services, catalog }, config) => {
        const seconds = options.expiresIn === undefined ? null : parseDuration(options.expiresIn, "--expires-in");
        if (seconds === 0) throw new CliError("--expires-in: must be more than 0");
        const created = await asService(services.db, "cli keys create", (tx) =>
          createKey(tx, {
            secret: config.BACKPLANE_SECRET,
            name: options.name,
            orgId: options.org ?? null,
            scopes: options.scopes
              .split(",")
              .map((scope) => scope.trim())
              .filter(Boolean),
            knownScopes: catalog.scopeNames,
            expiresAt: seconds === null ? null : new Date(Date.now() + seconds * 1000),
            environment: options.environment,
            createdBy: "cli",
            maxKeysPerOrg: config.KEYS_MAX_PER_ORG,
            audit: serviceSource("cli"),
          }),
        );
        if (options.json) printJson(createdJson(created));
        else printCreated(created);
      }),
    );

  keys
    .command("list")
    .description("List keys, newest first (never the secrets), read a page of 200 at a time")
    .option("--org <id>", "only this org's keys")
    .option("--json", "print the keys as JSON")
    .action((options: { org?: string; json?: boolean }) =>
      withDatabase("cli", options.json, async ({ services }) => {
        const all: KeyInfo[] = [];
        let after: KeyPosition | null = null;
        let printed = 0;
        for (;;) {
          const page: { keys: KeyInfo[]; next: KeyPosition | null } = await asService(services.db, "cli keys list", (tx) =>
            listKeys(tx, {
              orgId: options.org,
              limit: 200,
              after,
            }),
          );
          if (options.json) all.push(...page.keys);
          else
            for (const key of page.keys) {
              printed++;
              process.stdout.write(
                `${key.id}  ${key.prefix}…  ${key.orgId ?? "platform-wide"}  ${key.scopes.join(",")}  ${status(key)}  last used ${key.lastUsedAt ?? "never"}  ${key.name}\n`,
              );
            }
          if (!page.next) break;
          after = page.next;
        }
        if (options.json) return printJson(all);
        if (printed === 0) process.stdout.write("No keys.\n");
      }),
    );

  keys
    .command("revoke")
    .description(`Revoke a key now (running servers stop accepting it within API_KEY_CACHE_TTL_SECONDS)`)
    .argument("<id>", "key id (key_…)")
    .option("--cascade", "also revoke every key it created over HTTP, transitively")
    .option("--json", "print the revoked key (and revokedDescendants) as JSON")
    .action((id: string, options: { cascade?: boolean; json?: boolean }) =>
      withDatabase("cli", options.json, async ({ services }) => {
        const revoked = await asService(services.db, "cli keys revoke", (tx) =>
          revokeKey(tx, { id, withinOrg: null, cascade: options.cascade ?? false, audit: serviceSource("cli") }),
        );
        const verifier = keyVerifierFor(services);
        for (const revokedId of revoked.ids) verifier.forget(revokedId);
        if (options.json) printJson({ ...revoked.key, revokedDescendants: revoked.revokedDescendants });
        else
          process.stdout.write(
            `Revoked ${revoked.key.id} (${revoked.key.name}) at ${revoked.key.revokedAt}${
              options.cascade ? `, and ${revoked.revokedDescendants} key(s) it created` : ""
            }\n`,
          );
      }),
    );

  keys
    .command("rotate")
    .description("Issue a successor key; the old one keeps working for the overlap, then stops by itself")
    .argument("<id>", "key id (key_…)")
    .option("--overlap <duration>", "how long the old key stays valid", "24h")
    .option("--json", "print the new key (id, key, prefix, scopes, orgId, expiresAt) and the old key's expiry as JSON")
    .action((id: string, options: { overlap: string; json?: boolean }) =>
      withDatabase("cli", options.json, async ({ services }, config) => {
        const asCli = { transaction: <T>(fn: (tx: Sql) => Promise<T>) => asService(services.db, "cli keys rotate", fn) };
        const rotated = await rotateKey(asCli, {
          secret: config.BACKPLANE_SECRET,
          id,
          withinOrg: null,
          overlapSeconds: parseDuration(options.overlap, "--overlap"),
          createdBy: "cli",
          audit: serviceSource("cli"),
        });
        if (options.json)
          return printJson({ ...createdJson(rotated.key), previous: { id: rotated.previous.id, expiresAt: rotated.previous.expiresAt } });
        printCreated(rotated.key);
        process.stdout.write(`The old key ${rotated.previous.id} keeps working until ${rotated.previous.expiresAt}.\n`);
      }),
    );
}
