import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordAuditEvent, serviceSource } from "../../src/platform/audit/record-audit-event.ts";
import { createKey } from "../../src/platform/keys/create-key.ts";
import { createOrg } from "../../src/platform/orgs/create-org.ts";
import { type AuthFixture, createAuthFixture, describeAuthChecks } from "../support/auth-checks.ts";
import { runCleanup } from "../support/run-cleanup.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let orgA: string;
let orgB: string;
let auditorA: string;
let auditorB: string;
let platformAuditor: string;

const as = (key: string) => ({ "x-api-key": key });

beforeAll(async () => {
  t = await createTestApp();
  const { db, config } = t.services;
  orgA = (await createOrg(db, { name: "Audit A" })).id;
  orgB = (await createOrg(db, { name: "Audit B" })).id;
  const make = async (orgId: string | null) =>
    (await createKey(db, { secret: config.BACKPLANE_SECRET, name: "auditor", orgId, scopes: ["audit:read"], createdBy: "test" })).key;
  auditorA = await make(orgA);
  auditorB = await make(orgB);
  platformAuditor = await make(null);
});
afterAll(() => t.close());

async function record(orgId: string | null, action: string, metadata: Record<string, unknown> = {}) {
  await t.services.db.transaction((tx) =>
    recordAuditEvent(tx, { ...serviceSource("test"), orgId, action, target: { type: "thing", id: `thing_${action}` }, metadata }),
  );
}

describe("recordAuditEvent", () => {
  it("writes nothing when the change's transaction rolls back", async () => {
    const before = await t.services.db.query<{ n: number }>("SELECT count(*)::int AS n FROM backplane.audit_events");
    await expect(
      t.services.db.transaction(async (tx) => {
        await recordAuditEvent(tx, { ...serviceSource("test"), orgId: orgA, action: "thing.rolled_back" });
        throw new Error("the change fails after its audit row");
      }),
    ).rejects.toThrow("the change fails");
    const after = await t.services.db.query<{ n: number }>("SELECT count(*)::int AS n FROM backplane.audit_events");
    expect(after[0]?.n).toBe(before[0]?.n);
    const rows = await t.services.db.query("SELECT 1 FROM backplane.audit_events WHERE action = 'thing.rolled_back'");
    expect(rows).toHaveLength(0);
  });

  it("drops secrets and masks e-mail addresses in metadata; ids stay readable", async () => {
    await record(orgA, "thing.redacted", {
      apiKey: "bp_live_supersecret",
      refresh_token: "rt",
      password: "hunter2",
      keyId: "key_abc",
      createdKeyId: "key_def",
      email: "ada.lovelace@example.com",
      nested: { otp: "123456", note: "fine" },
    });
    const [row] = await t.services.db.query<{ metadata: Record<string, unknown> }>(
      "SELECT metadata FROM backplane.audit_events WHERE action = 'thing.redacted'",
    );
    expect(row?.metadata).toEqual({
      apiKey: "[redacted]",
      refresh_token: "[redacted]",
      password: "[redacted]",
      keyId: "key_abc",
      createdKeyId: "key_def",
      email: "a***@example.com",
      nested: { otp: "[redacted]", note: "fine" },
    });
  });

  it("refuses an action that is not noun.verb", async () => {
    await expect(record(orgA, "Created")).rejects.toThrow();
  });
});

describe("append-only", () => {
  it("the app role can insert and read its org's events but never update or delete them", async () => {
    await record(orgA, "thing.kept");
    const asApp = (sql: string) =>
      t.services.db.transaction(async (tx) => {
        await tx.query("SELECT set_config('role', 'backplane_app', true), set_config('app.org_id', $1, true)", [orgA]);
        return tx.query(sql);
      });
    expect((await asApp("SELECT id FROM backplane.audit_events WHERE action = 'thing.kept'")).length).toBe(1);
    await expect(asApp("UPDATE backplane.audit_events SET action = 'thing.changed' WHERE action = 'thing.kept'")).rejects.toThrow(
      /permission denied|append-only/,
    );
    await expect(asApp("DELETE FROM backplane.audit_events WHERE action = 'thing.kept'")).rejects.toThrow(/permission denied/);
    await expect(asApp("TRUNCATE backplane.audit_events")).rejects.toThrow(/permission denied/);
    // Another org's rows cannot be written either (the insert policy).
    await expect(
      t.services.db.transaction(async (tx) => {
        await tx.query("SELECT set_config('role', 'backplane_app', true), set_config('app.org_id', $1, true)", [orgA]);
        await recordAuditEvent(tx, { ...serviceSource("test"), orgId: orgB, action: "thing.forged" });
      }),
    ).rejects.toThrow(/row-level security/);
  });

  it("no one updates an audit row, not even the owner", async () => {
    await record(orgA, "thing.frozen");
    await expect(t.services.db.query("UPDATE backplane.audit_events SET metadata = '{}' WHERE action = 'thing.frozen'")).rejects.toThrow(
      /append-only/,
    );
  });

  it("without a tenant setting the app role sees no rows at all", async () => {
    const rows = await t.services.db.transaction(async (tx) => {
      await tx.query("SELECT set_config('role', 'backplane_app', true)");
      return tx.query("SELECT id FROM backplane.audit_events");
    });
    expect(rows).toHaveLength(0);
  });
});

describe("GET /api/v1/audit", () => {
  it("an org-bound key sees its own org's events only; a platform key sees every org or filters", async () => {
    await record(orgA, "widget.created");
    await record(orgB, "widget.created");
    await record(null, "widget.created");
    const a = await t.call("GET", "/api/v1/audit?action=widget.created", { headers: as(auditorA) });
    expect(a.status).toBe(200);
    expect(a.body.data.map((event: { orgId: string }) => event.orgId)).toEqual([orgA]);
    const b = await t.call("GET", "/api/v1/audit?action=widget.created", { headers: as(auditorB) });
    expect(b.body.data.map((event: { orgId: string }) => event.orgId)).toEqual([orgB]);
    const all = await t.call("GET", "/api/v1/audit?action=widget.created", { headers: as(platformAuditor) });
    expect(all.body.data.map((event: { orgId: string | null }) => event.orgId)).toEqual([null, orgB, orgA]);
    const onlyB = await t.call("GET", `/api/v1/audit?action=widget.created&orgId=${orgB}`, { headers: as(platformAuditor) });
    expect(onlyB.body.data.map((event: { orgId: string }) => event.orgId)).toEqual([orgB]);
    const crossed = await t.call("GET", `/api/v1/audit?orgId=${orgB}`, { headers: as(auditorA) });
    expect(crossed.status).toBe(403);
  });

  it("returns the event's fields and filters by action prefix, actor, target and time", async () => {
    await record(orgA, "gadget.created", { size: 3 });
    await record(orgA, "gadget.deleted");
    const res = await t.call("GET", "/api/v1/audit?action=gadget.*", { headers: as(auditorA) });
    expect(res.body.data.map((event: { action: string }) => event.action)).toEqual(["gadget.deleted", "gadget.created"]);
    expect(res.body.data[1]).toMatchObject({
      orgId: orgA,
      actor: { type: "service", id: "test" },
      target: { type: "thing", id: "thing_gadget.created" },
      metadata: { size: 3 },
      requestId: null,
    });
    expect(res.body.data[1].id).toMatch(/^aud_/);
    const byTarget = await t.call("GET", "/api/v1/audit?targetType=thing&targetId=thing_gadget.deleted", { headers: as(auditorA) });
    expect(byTarget.body.data).toHaveLength(1);
    const byActor = await t.call("GET", "/api/v1/audit?actorType=api_key&action=gadget.*", { headers: as(auditorA) });
    expect(byActor.body.data).toHaveLength(0);
    const future = new Date(Date.now() + 60_000).toISOString();
    const later = await t.call("GET", `/api/v1/audit?action=gadget.*&from=${future}`, { headers: as(auditorA) });
    expect(later.body.data).toHaveLength(0);
    const earlier = await t.call("GET", `/api/v1/audit?action=gadget.*&to=${future}`, { headers: as(auditorA) });
    expect(earlier.body.data).toHaveLength(2);
  });

  it("pages newest first without skipping or repeating events written in the same instant", async () => {
    await t.services.db.transaction(async (tx) => {
      for (let i = 0; i < 25; i++)
        await recordAuditEvent(tx, { ...serviceSource("test"), orgId: orgA, action: "page.step", metadata: { i } });
    });
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/api/v1/audit?action=page.step&limit=10${cursor ? `&cursor=${cursor}` : ""}`;
      const res = await t.call("GET", url, { headers: as(auditorA) });
      expect(res.status).toBe(200);
      seen.push(...res.body.data.map((event: { metadata: { i: number } }) => event.metadata.i));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([...Array(25).keys()].reverse());
  });

  it("refuses a cursor from another query, a forged cursor and bad filters with a 400", async () => {
    await record(orgA, "cursor.one");
    await record(orgA, "cursor.one");
    const first = await t.call("GET", "/api/v1/audit?action=cursor.one&limit=1", { headers: as(auditorA) });
    const cursor = first.body.nextCursor as string;
    expect(cursor).toBeTruthy();
    const other = await t.call("GET", `/api/v1/audit?action=cursor.two&limit=1&cursor=${cursor}`, { headers: as(auditorA) });
    expect(other.status).toBe(400);
    expect(other.body.error.code).toBe("validation_failed");
    const otherOrg = await t.call("GET", `/api/v1/audit?action=cursor.one&limit=1&cursor=${cursor}`, { headers: as(auditorB) });
    expect(otherOrg.status).toBe(400);
    for (const query of ["cursor=abc.def", "limit=0", "limit=201", "action=Key", "from=yesterday", "actorType=robot", "targetId=a%00b"]) {
      const res = await t.call("GET", `/api/v1/audit?${query}`, { headers: as(auditorA) });
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
    }
  });
});

describe("key mutations", () => {
  it("create, rotate and revoke over HTTP each write one row naming the calling key, the request and the target", async () => {
    const { db, config } = t.services;
    const admin = await createKey(db, {
      secret: config.BACKPLANE_SECRET,
      name: "admin",
      orgId: orgA,
      scopes: ["keys:manage", "biomech:read"],
      createdBy: "test",
    });
    const call = (method: string, path: string, requestId: string, body?: unknown) =>
      t.call(method, path, { headers: { ...as(admin.key), "x-request-id": requestId }, body });
    const created = await call("POST", "/api/v1/keys", "req-create", { name: "reader", scopes: ["biomech:read"] });
    expect(created.status, created.text).toBe(201);
    const rotated = await call("POST", `/api/v1/keys/${created.body.id}/rotate`, "req-rotate", { overlapSeconds: 60 });
    expect(rotated.status, rotated.text).toBe(201);
    const revoked = await call("DELETE", `/api/v1/keys/${rotated.body.key.id}`, "req-revoke");
    expect(revoked.status, revoked.text).toBe(200);
    // Revoking again changes nothing, so it writes nothing.
    expect((await call("DELETE", `/api/v1/keys/${rotated.body.key.id}`, "req-revoke-again")).status).toBe(200);

    const rows = await db.query<Record<string, unknown>>(
      `SELECT org_id, actor_type, actor_id, action, target_type, target_id, request_id, metadata
       FROM backplane.audit_events WHERE actor_id = $1 ORDER BY seq`,
      [admin.id],
    );
    expect(rows.map((row) => [row.action, row.target_id, row.request_id])).toEqual([
      ["key.created", created.body.id, "req-create"],
      ["key.rotated", created.body.id, "req-rotate"],
      ["key.revoked", rotated.body.key.id, "req-revoke"],
    ]);
    for (const row of rows) expect(row).toMatchObject({ org_id: orgA, actor_type: "api_key", target_type: "api_key" });
    expect(rows[0]?.metadata).toMatchObject({ name: "reader", scopes: ["biomech:read"], parentKeyId: admin.id });
    expect(rows[1]?.metadata).toMatchObject({ successorId: rotated.body.key.id, overlapSeconds: 60 });
    expect(rows[2]?.metadata).toMatchObject({ cascade: false, alreadyRevoked: false, revokedDescendants: 0 });
    // The secrets never reach the audit log.
    const all = JSON.stringify(rows);
    expect(all).not.toContain(created.body.key);
    expect(all).not.toContain(rotated.body.key.key);

    const listed = await t.call("GET", `/api/v1/audit?actorId=${admin.id}`, { headers: as(auditorA) });
    expect(listed.body.data.map((event: { action: string }) => event.action)).toEqual(["key.revoked", "key.rotated", "key.created"]);
    expect((await t.call("GET", `/api/v1/audit?actorId=${admin.id}`, { headers: as(auditorB) })).body.data).toEqual([]);
  });

  it("a refused key creation leaves no audit row", async () => {
    const { db, config } = t.services;
    const admin = await createKey(db, {
      secret: config.BACKPLANE_SECRET,
      name: "narrow admin",
      orgId: orgA,
      scopes: ["keys:manage"],
      createdBy: "test",
    });
    const refused = await t.call("POST", "/api/v1/keys", { headers: as(admin.key), body: { name: "wider", scopes: ["audit:read"] } });
    expect(refused.status).toBe(403);
    expect(await db.query("SELECT 1 FROM backplane.audit_events WHERE actor_id = $1", [admin.id])).toHaveLength(0);
  });
});

describe("retention", () => {
  it("the daily cleanup deletes events older than AUDIT_RETENTION_DAYS and keeps the rest", async () => {
    await record(orgA, "retention.old");
    await record(orgA, "retention.new");
    // The clock is moved back under the owner role: the app role can never change a row.
    await t.services.db.exec(
      "ALTER TABLE backplane.audit_events DISABLE TRIGGER audit_events_no_update; " +
        "UPDATE backplane.audit_events SET occurred_at = now() - interval '400 days' WHERE action = 'retention.old'; " +
        "ALTER TABLE backplane.audit_events ENABLE TRIGGER audit_events_no_update;",
    );
    expect(await runCleanup(t, "platform.audit-events")).toEqual({ events: 1 });
    const rows = await t.services.db.query<{ action: string }>("SELECT action FROM backplane.audit_events WHERE action LIKE 'retention.%'");
    expect(rows.map((row) => row.action)).toEqual(["retention.new"]);
    expect(t.config.AUDIT_RETENTION_DAYS).toBe(365);
  });
});

describe("GET /api/v1/audit security", () => {
  let fixture: AuthFixture;
  beforeAll(async () => {
    fixture = await createAuthFixture(t, ["audit:read"]);
  });
  describeAuthChecks({
    app: () => t,
    fixture: () => fixture,
    request: (f) => ({ method: "GET", path: `/api/v1/audit?orgId=${f.orgA}` }),
    otherOrgStatus: 403,
  });
});
