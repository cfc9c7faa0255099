/**
 * Identity figures (issue #10): OTP verify, a cookie-authenticated read next to an API-key read,
 * and one rate-limiter consume on each store. In-process (`app.request`) on real PostgreSQL and
 * Redis at 127.0.0.1; not yet part of `npm run bench`'s ratio table. Run: `node bench/identity.ts`.
 */
import pg from "pg";
import { availableModules } from "../src/modules/registry.ts";
import { migrateAll } from "../src/platform/boot/migrations-for.ts";
import { parseConfig } from "../src/platform/config/config.ts";
import { openPostgres } from "../src/platform/db/open-postgres.ts";
import { createApp } from "../src/platform/http/create-app.ts";
import { otpSealer } from "../src/platform/identity/otp-code.ts";
import { openJobQueue } from "../src/platform/jobs/open-job-queue.ts";
import { createKey } from "../src/platform/keys/create-key.ts";
import { createLogger } from "../src/platform/observability/logger.ts";
import { createRateLimitStore } from "../src/platform/ratelimit/rate-limit-store.ts";
import { benchConfig } from "./config.ts";

const admin = "postgres://postgres@127.0.0.1:5432/postgres";
const dbName = "bench_identity";
const url = `postgres://postgres@127.0.0.1:5432/${dbName}`;
const client = new pg.Client(admin);
await client.connect();
await client.query(`DROP DATABASE IF EXISTS ${dbName}`);
await client.query(`CREATE DATABASE ${dbName}`);
await client.end();

const pct = (values: number[], p: number) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
};
const fmt = (values: number[]) => `p50 ${pct(values, 50).toFixed(2)} ms, p99 ${pct(values, 99).toFixed(2)} ms (n=${values.length})`;
async function time(n: number, fn: (i: number) => unknown): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await fn(i);
    out.push(performance.now() - started);
  }
  return out;
}

const config = parseConfig({
  DATABASE_URL: url,
  BACKPLANE_SECRET: "bench-identity-secret-0123456789abcdefghij",
  LOG_LEVEL: "silent",
  RATE_LIMITS_ENABLED: "false",
  REDIS_URL: undefined,
});
const log = createLogger({ level: "silent" });
const db = openPostgres({ url, poolMax: 10 });
await migrateAll(db, availableModules);
const jobs = await openJobQueue({ config, db, log });
const services = { config, db, log, jobs };
const app = createApp({ services, modules: availableModules });
const call = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
  app.request(path, {
    method,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

async function codeFor(email: string) {
  const rows = await db.query<{ data: { payload: { challengeId: string; sealedCode: string } } }>(
    "SELECT data FROM pgboss.job WHERE data->>'job' = 'platform.send-sign-in-code' AND data->'payload'->>'email' = $1 ORDER BY created_on DESC LIMIT 1",
    [email],
  );
  const payload = rows[0]?.data.payload as { challengeId: string; sealedCode: string };
  return otpSealer(config.BACKPLANE_SECRET).open(payload.challengeId, payload.sealedCode);
}

// 1. OTP verify (digest check, user upsert, session insert, two audit rows, one transaction).
const N_VERIFY = 300;
const emails = Array.from({ length: N_VERIFY + 20 }, (_, i) => `bench-${i}@example.test`);
const codes: string[] = [];
for (const email of emails) {
  await call("POST", "/api/auth/otp/request", {}, { email });
  codes.push(await codeFor(email));
}
let cookie = "";
const verify = await time(N_VERIFY + 20, async (i) => {
  const res = await call("POST", "/api/auth/otp/verify", {}, { email: emails[i], code: codes[i] });
  if (res.status !== 200) throw new Error(`verify ${res.status}`);
  cookie = (res.headers.getSetCookie()[0] ?? "").split(";")[0] as string;
});
console.log(`OTP verify (in-process app.request, PostgreSQL): ${fmt(verify.slice(20))}`);

// 2. Authenticated reads: cookie GET /api/drafts/me vs API key GET /api/v1/keys?limit=1 vs no auth.
await call("PUT", "/api/drafts/me", { cookie, origin: "http://localhost" }, { payload: { step: "values" } });
const key = (
  await createKey(db, { secret: config.BACKPLANE_SECRET, name: "bench", orgId: null, scopes: ["keys:manage"], createdBy: "bench" })
).key;
const N = 2000;
for (const _ of Array(200)) await call("GET", "/api/drafts/me", { cookie });
const cookieRead = await time(N, () => call("GET", "/api/drafts/me", { cookie }));
const sessionOnly = await time(N, () => call("GET", "/api/auth/session", { cookie }));
const keyRead = await time(N, () => call("GET", "/api/v1/keys?limit=1", { "x-api-key": key }));
const anonymous = await time(N, () => call("GET", "/api/auth/session"));
console.log(`GET /api/drafts/me by session cookie:  ${fmt(cookieRead)}`);
console.log(`GET /api/auth/session by cookie:       ${fmt(sessionOnly)}`);
console.log(`GET /api/auth/session anonymous:       ${fmt(anonymous)}`);
console.log(`GET /api/v1/keys?limit=1 by API key:   ${fmt(keyRead)}`);

// 3. Rate limiter cost per request (one consume), both stores.
const pgStore = createRateLimitStore({ db, config });
const pgLimiter = await pgStore.limiter({ name: "bench", points: 1_000_000, durationSeconds: 3600 });
const pgCost = await time(N, (i) => pgLimiter.consume(`k${i % 50}`));
console.log(`rate limiter consume, PostgreSQL store: ${fmt(pgCost)}`);
const redisConfig = { ...config, REDIS_URL: benchConfig.redisUrl };
const redisStore = createRateLimitStore({ db, config: redisConfig });
const redisLimiter = await redisStore.limiter({ name: `bench-${Date.now()}`, points: 1_000_000, durationSeconds: 3600 });
await redisLimiter.consume("warm");
const redisCost = await time(N, (i) => redisLimiter.consume(`k${i % 50}`));
console.log(`rate limiter consume, Redis store:      ${fmt(redisCost)}`);
await redisStore.close();

await jobs.close();
await db.close();
const c2 = new pg.Client(admin);
await c2.connect();
await c2.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
await c2.end();
