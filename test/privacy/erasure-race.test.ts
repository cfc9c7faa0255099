import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordTelemetry } from "../../src/modules/insights/services/record-telemetry.ts";
import { availableModules } from "../../src/modules/registry.ts";
import { type Catalog, catalogOf } from "../../src/platform/catalog.ts";
import { eraseUser } from "../../src/platform/privacy/erase-user.ts";
import { requestDeletion } from "../../src/platform/privacy/privacy-requests.ts";
import { pseudonymOf } from "../../src/platform/privacy/pseudonym.ts";
import { findUserResidue } from "../../src/platform/privacy/user-data-scan.ts";
import { asService, withTenant } from "../../src/platform/tenancy/with-tenant.ts";
import { batch, postEvents } from "../insights/support.ts";
import { type SignedInUser, signInUser } from "../support/sign-in.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { dbKind } from "../support/test-database.ts";

const catalog = catalogOf(availableModules);
let t: TestApp;
let counter = 0;

/** A gate a transaction waits at: `reached` resolves when it gets there, `open()` lets it go on. */
function gate() {
  let open = () => {};
  let arrive = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const reached = new Promise<void>((resolve) => {
    arrive = resolve;
  });
  const wait = () => {
    arrive();
    return opened;
  };
  return { open, reached, wait };
}

/** Until a session of this database waits for a row lock: the other transaction has run into the one held open. */
async function someoneWaitsForALock(): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const [row] = await t.services.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
    );
    if ((row?.n ?? 0) > 0) return;
    if (Date.now() > deadline) throw new Error("no transaction ever waited for the held one");
    await sleep(20);
  }
}

async function askErasure(user: SignedInUser): Promise<string> {
  const { deletion } = await asService(t.services.db, "test", (tx) =>
    requestDeletion(tx, { userId: user.userId, pseudonym: pseudonymOf(t.config.BACKPLANE_SECRET, user.userId), now: new Date() }),
  );
  return deletion.id;
}

const events = () => batch([{ type: "doc.opened", occurredAt: new Date() }]);

// Only where requests run concurrently: on PGlite (one connection) transactions take turns.
describe.runIf(dbKind === "postgres")("a request racing an erasure (PostgreSQL)", () => {
  beforeAll(async () => {
    t = await createTestApp({ env: { RATE_LIMITS_ENABLED: "false" } });
  }, 60_000);
  afterAll(() => t?.close());

  it("a telemetry POST arriving while the erasure's transaction is open (user row already deleted) is a 401, not a 500", async () => {
    const user = await signInUser(t, `race-post-${process.pid}-${++counter}@p.test`);
    const deletionId = await askErasure(user);
    // A module erasing after the platform (which deleted the user row): the erasure waits here, uncommitted.
    const held = gate();
    const gated: Catalog = {
      ...catalog,
      privacy: [
        {
          module: "test-gate",
          handlers: {
            export: async () => ({}),
            erase: async () => {
              await held.wait();
              return {};
            },
          },
        },
        ...catalog.privacy,
      ],
    };
    const erasing = eraseUser(t.services, gated, deletionId);
    await held.reached;
    const posting = postEvents(t, user, events());
    await someoneWaitsForALock();
    held.open();
    await erasing;
    const res = await posting;
    expect(res.status, res.text + t.logs.filter((line) => line.includes("unhandled")).join("\n")).toBe(401);
    expect(res.body.error.code).toBe("unauthorized");
    expect(t.logs.filter((line) => line.includes('"unhandled error"'))).toEqual([]);
    expect(await findUserResidue(t.services.db, { userId: user.userId, email: user.email }, "deep")).toEqual([]);
  });

  it("an erasure starting while a telemetry transaction is open waits for it, then erases its events and its queued job too", async () => {
    const user = await signInUser(t, `race-job-${process.pid}-${++counter}@p.test`);
    const deletionId = await askErasure(user);
    // The request's transaction (what POST /api/telemetry/events runs), held open after its
    // insert and its enqueue of insights.ingest-telemetry.
    const held = gate();
    const request = withTenant(t.services.db, { orgId: null, userId: user.userId, principal: `user:${user.userId}` }, async (tx) => {
      const result = await recordTelemetry(tx, t.services.jobs, { userId: user.userId, events: events().events, now: new Date() });
      await held.wait();
      return result;
    });
    await held.reached;
    const erasing = eraseUser(t.services, catalog, deletionId);
    await someoneWaitsForALock();
    held.open();
    expect((await request).accepted).toBe(1);
    await erasing;
    // The catalog scan of every column, the queue's included: no event, no job naming the user.
    expect(await findUserResidue(t.services.db, { userId: user.userId, email: user.email }, "deep")).toEqual([]);
  });
});
