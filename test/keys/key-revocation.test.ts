import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createKeyVerifier } from "../../src/platform/auth/key-verifier.ts";
import type { Database } from "../../src/platform/db/database.ts";
import { createKey } from "../../src/platform/keys/create-key.ts";
import { revokeKey } from "../../src/platform/keys/revoke-key.ts";
import { createOrg } from "../../src/platform/orgs/create-org.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { dbKind } from "../support/test-database.ts";

let t: TestApp;
let orgId: string;

beforeAll(async () => {
  t = await createTestApp();
  orgId = (await createOrg(t.services.db, { name: "Acme" })).id;
});
afterAll(() => t.close());
afterEach(() => {
  vi.useRealTimers();
});

function newKey(scopes = ["biomech:read"], expiresAt: Date | null = null) {
  return createKey(t.services.db, { secret: t.config.BACKPLANE_SECRET, name: "k", orgId, scopes, expiresAt, createdBy: "test" });
}

/**
 * The real database, with a hand on the key lookup: while `hold` is set, a lookup's answer (already
 * read from the database) waits until released. Makes "revoked while a lookup was in flight" exact.
 */
function withHeldLookups(db: Database) {
  let release: (() => void) | null = null;
  let gate: Promise<void> | null = null;
  let arrived: (() => void) | null = null;
  const held = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  const wrapped: Database = Object.create(db);
  // The verifier's lookup is one batch (settings + lookup, one implicit transaction): hold after it answers.
  wrapped.batch = async (statements) => {
    const answers = await db.batch(statements);
    if (gate && statements.some((statement) => statement.text.includes("WHERE digest = $1"))) {
      arrived?.();
      await gate;
    }
    return answers;
  };
  return {
    db: wrapped,
    hold() {
      gate = new Promise<void>((resolve) => {
        release = resolve;
      });
    },
    held,
    release() {
      gate = null;
      release?.();
    },
  };
}

describe("revocation on the revoking instance", () => {
  it("a lookup in flight when the key is revoked does not re-cache the pre-revoke row", async () => {
    const key = await newKey();
    const hand = withHeldLookups(t.services.db);
    const verifier = createKeyVerifier({ db: hand.db, config: { ...t.config, API_KEY_CACHE_TTL_SECONDS: 30 }, log: t.services.log });

    hand.hold();
    const inFlight = verifier.verify(key.key); // reads the live row, then waits
    await hand.held;
    await revokeKey(t.services.db, { id: key.id, withinOrg: null });
    verifier.forget(key.id); // what the revoke route does, after the revoke is committed
    hand.release();
    // That one request raced the revoke and was read before it; it may pass.
    expect((await inFlight).ok).toBe(true);
    // Every request after the revoke answered must fail, on this instance, at once.
    expect(await verifier.verify(key.key)).toEqual({ ok: false, reason: "revoked" });
  });
});

describe("revocation follows revoked_at IS NOT NULL, not a comparison with the host's clock", () => {
  it("refuses a key whose revoked_at, written by a database clock ahead of this host, is still in this host's future", async () => {
    const key = await newKey();
    await t.services.db.query("UPDATE backplane.api_keys SET revoked_at = now() + interval '1 hour' WHERE id = $1", [key.id]);
    const verifier = createKeyVerifier({ db: t.services.db, config: t.config, log: t.services.log });
    expect(await verifier.verify(key.key)).toEqual({ ok: false, reason: "revoked" });
  });
});

// PGlite runs in this process and reads this process's clock, so only a separate server can
// disagree with the host: these run on real PostgreSQL, with this host's Date skewed.
describe.runIf(dbKind === "postgres")("revocation and expiry follow the database clock, not the host's (real PostgreSQL)", () => {
  it("a host whose clock runs an hour behind refuses a key revoked a moment ago", async () => {
    const key = await newKey();
    await revokeKey(t.services.db, { id: key.id, withinOrg: null });
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() - 3_600_000 });
    const verifier = createKeyVerifier({ db: t.services.db, config: t.config, log: t.services.log });
    expect(await verifier.verify(key.key)).toEqual({ ok: false, reason: "revoked" });
  });

  it("a host whose clock runs an hour behind refuses a key that expired by the database clock", async () => {
    const key = await newKey(["biomech:read"], new Date(Date.now() + 60_000));
    await t.services.db.query("UPDATE backplane.api_keys SET expires_at = now() - interval '1 second' WHERE id = $1", [key.id]);
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() - 3_600_000 });
    const verifier = createKeyVerifier({ db: t.services.db, config: t.config, log: t.services.log });
    expect(await verifier.verify(key.key)).toEqual({ ok: false, reason: "expired" });
  });

  it("a host whose clock runs an hour ahead accepts a key with 5 s left by the database clock, and stops it after 5 s (cached)", async () => {
    const key = await newKey(["biomech:read"], new Date(Date.now() + 60_000));
    await t.services.db.query("UPDATE backplane.api_keys SET expires_at = now() + interval '5 seconds' WHERE id = $1", [key.id]);
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 3_600_000 });
    const verifier = createKeyVerifier({ db: t.services.db, config: { ...t.config, API_KEY_CACHE_TTL_SECONDS: 30 }, log: t.services.log });
    expect((await verifier.verify(key.key)).ok).toBe(true);
    vi.setSystemTime(Date.now() + 6_000); // still cached; past the deadline the database gave
    expect(await verifier.verify(key.key)).toEqual({ ok: false, reason: "expired" });
  });
});
