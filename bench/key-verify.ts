/**
 * Cost of one API key verification (cache miss: checksum + HMAC + indexed lookup on the
 * embedded database; cache hit: checksum + SHA-256 + map lookup) against one bcrypt cost-10
 * comparison, the scheme the seeds would have used. Run: node bench/key-verify.ts
 * [postgres://…] to measure the miss against a real Postgres instead.
 */
import bcrypt from "bcryptjs";
import { createKeyVerifier } from "../src/platform/auth/key-verifier.ts";
import { migrationsFor } from "../src/platform/boot/migrations-for.ts";
import { parseConfig } from "../src/platform/config/config.ts";
import { openPglite } from "../src/platform/db/open-pglite.ts";
import { openPostgres } from "../src/platform/db/open-postgres.ts";
import { createKey } from "../src/platform/keys/create-key.ts";
import { applyMigrations } from "../src/platform/migrations/apply-migrations.ts";
import { createLogger } from "../src/platform/observability/logger.ts";
import { createOrg } from "../src/platform/orgs/create-org.ts";

const databaseUrl = process.argv[2];
const config = parseConfig({ NODE_ENV: "test", API_KEY_CACHE_TTL_SECONDS: "30" });
const log = createLogger({ level: "silent" });
const db = databaseUrl ? openPostgres({ url: databaseUrl, poolMax: 2 }) : await openPglite(undefined);
await applyMigrations(db, migrationsFor([]));

const org = await createOrg(db, { name: `bench ${Date.now()}` });
const KEYS = 2_000;
const keys: string[] = [];
for (let i = 0; i < KEYS; i++) {
  keys.push(
    (await createKey(db, { secret: config.BACKPLANE_SECRET, name: `k${i}`, orgId: org.id, scopes: ["biomech:read"], createdBy: "bench" }))
      .key,
  );
}

async function perCall(label: string, calls: number, fn: (i: number) => Promise<unknown> | unknown): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await fn(i);
  const micros = Number(process.hrtime.bigint() - started) / 1000 / calls;
  process.stdout.write(`${label.padEnd(48)} ${micros.toFixed(1).padStart(10)} µs\n`);
  return micros;
}

// Each verifier is warmed by one pass first, so the timed passes exclude the last_used_at
// write (at most once a minute per key) and measure only what every other request pays.
const uncached = createKeyVerifier({ db, config: { ...config, API_KEY_CACHE_TTL_SECONDS: 0 }, log });
const cached = createKeyVerifier({ db, config, log });
for (const key of keys) {
  await uncached.verify(key);
  await cached.verify(key);
}
const miss = await perCall("cache miss (checksum + HMAC + indexed lookup)", KEYS, (i) => uncached.verify(keys[i] as string));
const hit = await perCall("cache hit (checksum + SHA-256 + map lookup)", 100_000, (i) => cached.verify(keys[i % KEYS] as string));
const malformed = await perCall("bad checksum (rejected before any lookup)", 100_000, (i) =>
  uncached.verify(`${(keys[i % KEYS] as string).slice(0, -1)}!`),
);

const hash = bcrypt.hashSync("bp_live_example-key-0123456789abcdef", 10);
const bcryptMicros = await perCall("bcrypt compare, cost 10 (bcryptjs)", 20, () =>
  bcrypt.compareSync("bp_live_example-key-0123456789abcdef", hash),
);

void malformed;
process.stdout.write(
  `\nbcrypt/miss ${(bcryptMicros / miss).toFixed(0)}x, bcrypt/hit ${(bcryptMicros / hit).toFixed(0)}x; one core: ~${Math.round(1e6 / bcryptMicros)} bcrypt verifications/s vs ~${Math.round(1e6 / hit)} cached verifications/s (${databaseUrl ? "postgres" : "embedded PGlite"})\n`,
);
await db.close();
