import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateApiKey } from "../../src/platform/auth/api-key-format.ts";
import { createKeyVerifier } from "../../src/platform/auth/key-verifier.ts";
import type { Database, Sql } from "../../src/platform/db/database.ts";
import { createApp } from "../../src/platform/http/create-app.ts";
import { createKey } from "../../src/platform/keys/create-key.ts";
import { createOrg } from "../../src/platform/orgs/create-org.ts";
import { type Listening, listen } from "../../src/platform/server/listen.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

// The key checksum is public, so anyone can mint well-formed keys that pass the cheap check and
// reach the lookup. Such a flood must not push real keys out of the cache, and one address must
// not get more than its budget of database lookups.

let t: TestApp;
let orgId: string;

beforeAll(async () => {
  t = await createTestApp({ env: { TRUST_PROXY_HOPS: "1", API_KEY_FAILURES_PER_MINUTE: "5", LOG_LEVEL: "warn" } });
  orgId = (await createOrg(t.services.db, { name: "Flooded" })).id;
});
afterAll(() => t.close());

const newKey = () =>
  createKey(t.services.db, {
    secret: t.config.BACKPLANE_SECRET,
    name: "real",
    orgId,
    scopes: ["biomech:read"],
    expiresAt: null,
    createdBy: "test",
  });

/** The real database, counting key lookups (the verifier reads a key as one service batch: settings + lookup). */
function countingLookups(db: Database) {
  const counter = { lookups: 0, db: Object.create(db) as Database };
  const counting = (tx: Sql): Sql => ({
    ...tx,
    query: (text, params) => {
      if (text.includes("WHERE digest = $1")) counter.lookups++;
      return tx.query(text, params);
    },
  });
  // A service transaction is db.transaction on PGlite and one session on PostgreSQL.
  counter.db.transaction = (fn) => db.transaction((tx) => fn(counting(tx)));
  counter.db.withSession = (fn) => db.withSession((session) => fn(counting(session)));
  counter.db.batch = (statements) => {
    counter.lookups += statements.filter((statement) => statement.text.includes("WHERE digest = $1")).length;
    return db.batch(statements);
  };
  return counter;
}

describe("key cache under a flood of well-formed unknown keys", () => {
  it("more random keys than the cache holds do not evict a real key: it is still answered from the cache", async () => {
    const real = await newKey();
    const counter = countingLookups(t.services.db);
    // A cache of 200 entries (10,000 in production) keeps the flood small enough for the suite.
    const verifier = createKeyVerifier({
      db: counter.db,
      config: { ...t.config, API_KEY_CACHE_TTL_SECONDS: 30 },
      log: t.services.log,
      cacheEntries: 200,
    });

    expect((await verifier.verify(real.key)).ok).toBe(true);
    expect(counter.lookups).toBe(1);
    const flood = Array.from({ length: 1_000 }, () => generateApiKey("live"));
    for (let i = 0; i < flood.length; i += 250) {
      const answers = await Promise.all(flood.slice(i, i + 250).map((key) => verifier.verify(key)));
      for (const answer of answers) expect(answer).toEqual({ ok: false, reason: "unknown" });
    }
    expect(counter.lookups).toBe(1 + flood.length);

    const before = counter.lookups;
    expect((await verifier.verify(real.key)).ok).toBe(true);
    expect(counter.lookups).toBe(before); // a cache hit, not a new lookup
    // A repeated unknown key within the TTL is answered from the negative cache.
    expect(await verifier.verify(flood.at(-1) as string)).toEqual({ ok: false, reason: "unknown" });
    expect(counter.lookups).toBe(before);
  }, 60_000);
});

describe("per-address budget of failed key checks, through the real Node server", () => {
  let server: Listening;
  const counter = { lookups: 0 };

  beforeAll(async () => {
    const counting = countingLookups(t.services.db);
    Object.defineProperty(counter, "lookups", { get: () => counting.lookups });
    const app = createApp({ services: { ...t.services, db: counting.db }, modules: [] });
    server = await listen(app, { port: 0, host: "127.0.0.1" });
  });
  afterAll(() => server?.close(1_000));

  const get = (key: string, ip: string) => fetch(`${server.url}/api/v1/keys`, { headers: { "x-api-key": key, "x-forwarded-for": ip } });

  it("after 5 failures an address gets 429 with Retry-After and no lookup, even for a valid key; other addresses are unaffected", async () => {
    const real = await newKey();
    const attacker = "203.0.113.7";
    const start = counter.lookups;
    for (let i = 0; i < 5; i++) {
      const response = await get(generateApiKey("live"), attacker);
      expect(response.status).toBe(401);
    }
    expect(counter.lookups - start).toBe(5);

    for (let i = 0; i < 50; i++) {
      const response = await get(generateApiKey("live"), attacker);
      expect(response.status).toBe(429);
      const body = (await response.json()) as { error: { code: string } };
      expect(body.error.code).toBe("rate_limited");
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
    expect(counter.lookups - start).toBe(5); // the flood past the budget cost no query

    // The budget is the address's, whatever key it sends next.
    expect((await get(real.key, attacker)).status).toBe(429);
    // Another address with the real key goes through (its scope is wrong for /keys: 403, not 401/429).
    const other = await get(real.key, "198.51.100.9");
    expect(other.status).toBe(403);
  });

  it("successful checks do not spend the budget", async () => {
    const real = await newKey();
    for (let i = 0; i < 20; i++) expect((await get(real.key, "198.51.100.20")).status).toBe(403);
  });
});
