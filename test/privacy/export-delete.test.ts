import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableModules } from "../../src/modules/registry.ts";
import { catalogOf } from "../../src/platform/catalog.ts";
import { type RunningWorker, startWorker } from "../../src/platform/jobs/start-worker.ts";
import { createKey } from "../../src/platform/keys/create-key.ts";
import { createOrg } from "../../src/platform/orgs/create-org.ts";
import { eraseUser } from "../../src/platform/privacy/erase-user.ts";
import { requestDeletion } from "../../src/platform/privacy/privacy-requests.ts";
import { pseudonymOf } from "../../src/platform/privacy/pseudonym.ts";
import { findUserResidue } from "../../src/platform/privacy/user-data-scan.ts";
import { asService } from "../../src/platform/tenancy/with-tenant.ts";
import { fastJobsEnv } from "../jobs/support/fast-env.ts";
import { describeUserAuthChecks } from "../support/auth-checks.ts";
import { runCleanup } from "../support/run-cleanup.ts";
import { type SignedInUser, sameOrigin, signInMobile, signInUser } from "../support/sign-in.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let worker: RunningWorker;
const catalog = catalogOf(availableModules);
let counter = 0;

/** A signed-in user with rows in every module that holds user data, each carrying a marker only they have. */
interface Seeded extends SignedInUser {
  marker: string;
  ruleId: string;
  orgId: string;
  accessToken: string;
}

async function seedUser(label: string): Promise<Seeded> {
  const email = `${label}-${process.pid}-${++counter}@example.test`;
  const user = await signInUser(t, email);
  const mobile = await signInMobile(t, email); // a token session and a refresh token
  const marker = `marker-${label}-${counter}-${Math.random().toString(36).slice(2)}`;
  const draft = await t.call("PUT", "/api/drafts/me", { headers: user.headers, body: { payload: { marker } } });
  expect(draft.status, draft.text).toBe(200);
  const rule = await t.call("POST", "/api/rules", { headers: user.headers, body: { title: `Rule ${marker}`, document: { marker } } });
  expect(rule.status, rule.text).toBe(201);
  const org = await createOrg(t.services.db, { name: `Org ${marker}` });
  await t.services.db.query("INSERT INTO backplane.org_members (org_id, user_id, role) VALUES ($1, $2, 'member')", [org.id, user.userId]);
  await t.services.db.query(
    "INSERT INTO backplane.external_identities (provider, issuer, subject, user_id, created_at, last_seen_at) VALUES ('supabase', 'https://x.supabase.co/auth/v1', $1, $2, now(), now())",
    [`sub-${marker}`, user.userId],
  );
  return { ...user, marker, ruleId: rule.body.id, orgId: org.id, accessToken: mobile.accessToken };
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function exportReady(user: SignedInUser, id: string) {
  return until(`export ${id}`, async () => {
    const res = await t.call("GET", `/api/privacy/export/${id}`, { headers: user.headers });
    expect(res.status, res.text).toBe(200);
    return res.body.status === "pending" ? null : res.body;
  });
}

let a: Seeded;
let b: Seeded;

beforeAll(async () => {
  t = await createTestApp({ env: { ...fastJobsEnv, LOG_LEVEL: "info", RATE_LIMITS_ENABLED: "false" } });
  a = await seedUser("ada");
  b = await seedUser("bob");
  worker = await startWorker(t.services, availableModules);
}, 60_000);

afterAll(async () => {
  await worker?.stop(0);
  await t?.close();
});

describe("POST /api/privacy/export → GET /api/privacy/export/{id}", () => {
  it("builds one bundle holding this user's rows from every module that registered an exporter, and none of another user's", async () => {
    const started = await t.call("POST", "/api/privacy/export", { headers: a.headers });
    expect(started.status, started.text).toBe(202);
    expect(started.body).toMatchObject({ status: "pending", downloadUrl: null });
    expect(started.headers.get("location")).toBe(`/api/privacy/export/${started.body.id}`);

    const ready = await exportReady(a, started.body.id);
    expect(ready.status).toBe("ready");
    expect(new Date(ready.expiresAt).getTime() - new Date(ready.completedAt).getTime()).toBe(24 * 3_600_000);
    const download = await t.call("GET", ready.downloadUrl, { headers: a.headers });
    expect(download.status, download.text).toBe(200);
    expect(download.headers.get("content-disposition")).toContain("attachment");
    expect(download.text.length).toBe(ready.bytes);
    const bundle = download.body;

    // Every module with an exporter is in it; the others are named as holding no user data.
    expect(Object.keys(bundle.modules).sort()).toEqual(catalog.privacy.map((entry) => entry.module).sort());
    expect([...Object.keys(bundle.modules), ...bundle.modulesWithoutUserData].sort()).toEqual([...catalog.schemas].sort());
    expect(bundle.subject).toEqual({ userId: a.userId, email: a.email });

    const { identity, audit, jobs } = bundle.modules.backplane;
    expect(identity.user).toMatchObject({ id: a.userId, email: a.email });
    expect(identity.sessions.map((s: { kind: string }) => s.kind).sort()).toEqual(["cookie", "token"]);
    expect(identity.refreshTokens).toHaveLength(1);
    expect(identity.orgMemberships).toEqual([expect.objectContaining({ org_id: a.orgId, role: "member" })]);
    expect(identity.externalIdentities).toEqual([expect.objectContaining({ subject: `sub-${a.marker}` })]);
    expect(identity.signInCodes.length).toBe(2);
    expect(audit.events.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(["user.created", "session.started", "privacy.export_requested"]),
    );
    expect(jobs.jobs.map((job: { job: string }) => job.job)).toContain("platform.send-sign-in-code");
    expect(bundle.modules.community.draft.payload).toEqual({ marker: a.marker });
    expect(bundle.modules.community.rules).toEqual([expect.objectContaining({ id: a.ruleId, document: { marker: a.marker } })]);

    // Nothing of the other user, and no credential material (token hashes, code digests).
    for (const foreign of [b.userId, b.email, b.marker, b.ruleId, b.orgId]) expect(download.text).not.toContain(foreign);
    for (const secretColumn of ["token_hash", "code_digest", "digest"]) expect(download.text).not.toContain(`"${secretColumn}"`);

    // Sealed at rest: the stored bytes do not contain the user's data.
    const [stored] = await t.services.db.query<{ bundle: Uint8Array }>("SELECT bundle FROM backplane.privacy_exports WHERE id = $1", [
      started.body.id,
    ]);
    expect(Buffer.from(stored?.bundle ?? []).toString("latin1")).not.toContain(a.email);

    // Both ends audited.
    const audited = await t.services.db.query<{ action: string }>(
      "SELECT action FROM backplane.audit_events WHERE target_id = $1 AND action LIKE 'privacy.%' ORDER BY seq",
      [a.userId],
    );
    expect(audited.map((row) => row.action)).toEqual(["privacy.export_requested", "privacy.export_ready"]);
  });

  it("another user's export is a 404 (status and download); so is an unknown id; a malformed id is a 400", async () => {
    const started = await t.call("POST", "/api/privacy/export", { headers: a.headers });
    await exportReady(a, started.body.id);
    for (const path of [`/api/privacy/export/${started.body.id}`, `/api/privacy/export/${started.body.id}/download`]) {
      const other = await t.call("GET", path, { headers: b.headers });
      expect(other.status, other.text).toBe(404);
      expect(other.text).not.toContain(a.email);
      expect((await t.call("GET", path, { headers: { authorization: `Bearer ${b.accessToken}` } })).status).toBe(404);
      expect((await t.call("GET", path, { headers: a.headers })).status).toBe(200);
    }
    expect((await t.call("GET", "/api/privacy/export/pex_nosuchexport", { headers: a.headers })).status).toBe(404);
    expect((await t.call("GET", "/api/privacy/export/not-an-id", { headers: a.headers })).status).toBe(400);
  });

  it("401 without credentials, with a dead cookie, and with an API key on every privacy route", async () => {
    const key = await createKey(t.services.db, {
      secret: t.config.BACKPLANE_SECRET,
      name: "k",
      orgId: null,
      scopes: ["metrics:read"],
      createdBy: "test",
    });
    const routes = [
      ["POST", "/api/privacy/export", undefined],
      ["GET", "/api/privacy/export/pex_abc", undefined],
      ["GET", "/api/privacy/export/pex_abc/download", undefined],
      ["POST", "/api/privacy/delete", { confirmEmail: a.email }],
    ] as const;
    const credentials: Record<string, string>[] = [
      {},
      { cookie: "bp_session=dead", ...sameOrigin },
      { "x-api-key": key.key },
      { authorization: `Bearer ${key.key}` },
    ];
    for (const [method, path, body] of routes) {
      for (const headers of credentials) {
        const res = await t.call(method, path, { headers, body });
        expect(res.status, `${method} ${path} ${JSON.stringify(headers)}: ${res.text}`).toBe(401);
      }
    }
  });

  it("expires 24 hours after it was built: status expired, download 404, and the daily cleanup deletes it", async () => {
    const started = await t.call("POST", "/api/privacy/export", { headers: a.headers });
    const ready = await exportReady(a, started.body.id);
    const later = new Date(new Date(ready.expiresAt).getTime() + 1000);
    t.services.clock = () => later;
    try {
      const status = await t.call("GET", `/api/privacy/export/${started.body.id}`, { headers: a.headers });
      expect(status.body).toMatchObject({ status: "expired", downloadUrl: null });
      const download = await t.call("GET", `/api/privacy/export/${started.body.id}/download`, { headers: a.headers });
      expect(download.status).toBe(404);
    } finally {
      t.services.clock = undefined;
    }
    // A second before expiry the cleanup keeps it; at expiry it goes.
    await runCleanup(t, "platform.privacy-exports", new Date(new Date(ready.expiresAt).getTime() - 1000));
    expect(await t.services.db.query("SELECT 1 FROM backplane.privacy_exports WHERE id = $1", [started.body.id])).toHaveLength(1);
    await runCleanup(t, "platform.privacy-exports", new Date(ready.expiresAt));
    expect(await t.services.db.query("SELECT 1 FROM backplane.privacy_exports WHERE id = $1", [started.body.id])).toEqual([]);
  });
});

describe("queued jobs naming a user", () => {
  it("match the user's email and id exactly: x@… is not bx@…, in the export and in the erasure", async () => {
    // One address contains the other: a substring match would hand x the jobs of bx and delete them.
    const stem = `x${process.pid}n${++counter}@p.test`;
    const x = await signInUser(t, stem);
    const bx = await signInUser(t, `b${stem}`);
    expect(bx.email).toContain(x.email);
    const jobsFor = (email: string) =>
      t.services.db.query<{ id: string }>(
        "SELECT id FROM pgboss.job WHERE data->>'job' = 'platform.send-sign-in-code' AND data->'payload'->>'email' = $1",
        [email],
      );
    const bxJobs = await jobsFor(bx.email);
    expect(bxJobs).toHaveLength(1);

    const started = await t.call("POST", "/api/privacy/export", { headers: x.headers });
    expect(started.status, started.text).toBe(202);
    const ready = await exportReady(x, started.body.id);
    const download = await t.call("GET", ready.downloadUrl, { headers: x.headers });
    const { jobs } = download.body.modules.backplane;
    const exportedIds = jobs.jobs.map((job: { id: string }) => job.id);
    for (const job of await jobsFor(x.email)) expect(exportedIds).toContain(job.id);
    for (const job of bxJobs) expect(exportedIds).not.toContain(job.id);
    expect(download.text).not.toContain(bx.email);
    expect(download.text).not.toContain(bx.userId);

    const { deletion } = await asService(t.services.db, "test", (tx) =>
      requestDeletion(tx, { userId: x.userId, pseudonym: pseudonymOf(t.config.BACKPLANE_SECRET, x.userId), now: new Date() }),
    );
    await eraseUser(t.services, catalog, deletion.id);
    expect(await jobsFor(x.email)).toEqual([]);
    expect(await jobsFor(bx.email)).toEqual(bxJobs);
    expect((await t.call("GET", "/api/drafts/me", { headers: bx.headers })).status).toBe(200);
  });
});

describe("POST /api/privacy/export: the shared signed-in-user checks", () => {
  describeUserAuthChecks({ app: () => t, request: () => ({ method: "POST", path: "/api/privacy/export" }), okStatus: 202 });
});

describe("POST /api/privacy/delete", () => {
  it("requires the user's own email as confirmation; without it nothing is asked", async () => {
    for (const body of [{}, { confirmEmail: b.email }, { confirmEmail: "" }]) {
      const res = await t.call("POST", "/api/privacy/delete", { headers: a.headers, body });
      expect(res.status, res.text).toBe(400);
    }
    expect(await t.services.db.query("SELECT 1 FROM backplane.privacy_deletions WHERE user_id = $1", [a.userId])).toEqual([]);
  });

  it("erases the user across every module in one job: the catalog scan finds them nowhere, and one pseudonymous audit row stays", async () => {
    const carol = await seedUser("carol");
    const dave = await seedUser("dave");
    // Carol also has a built export and a log line naming her in another module's table.
    const exported = await t.call("POST", "/api/privacy/export", { headers: carol.headers });
    await exportReady(carol, exported.body.id);
    const before = await findUserResidue(t.services.db, { userId: carol.userId, email: carol.email }, "deep");
    expect(before.map((entry) => entry.table)).toEqual(
      expect.arrayContaining([
        '"backplane"."users"',
        '"backplane"."sessions"',
        '"backplane"."audit_events"',
        '"community"."drafts"',
        '"community"."rules"',
        '"pgboss"."job"',
      ]),
    );
    const daveBefore = await findUserResidue(t.services.db, { userId: dave.userId, email: dave.email }, "deep");

    const asked = await t.call("POST", "/api/privacy/delete", {
      headers: { ...carol.headers },
      body: { confirmEmail: carol.email.toUpperCase() },
    });
    expect(asked.status, asked.text).toBe(202);
    expect(asked.body.status).toBe("pending");
    const again = await t.call("POST", "/api/privacy/delete", { headers: carol.headers, body: { confirmEmail: carol.email } });
    if (again.status === 202)
      expect(again.body.id).toBe(asked.body.id); // still pending: the same erasure
    else expect(again.status, again.text + t.logs.slice(-5).join("\n")).toBe(401); // already erased: signed out

    await until("the erasure", async () => {
      const [row] = await t.services.db.query<{ status: string }>("SELECT status FROM backplane.privacy_deletions WHERE id = $1", [
        asked.body.id,
      ]);
      return row?.status === "done";
    });

    // The catalog scan: every text, JSON, array and bytea column of every table, the queue included.
    expect(await findUserResidue(t.services.db, { userId: carol.userId, email: carol.email }, "deep")).toEqual([]);
    const pseudonym = pseudonymOf(t.config.BACKPLANE_SECRET, carol.userId);
    const trail = await t.services.db.query<Record<string, unknown>>("SELECT * FROM backplane.audit_events WHERE target_id = $1", [
      pseudonym,
    ]);
    expect(trail).toHaveLength(1);
    expect(trail[0]).toMatchObject({ action: "privacy.user_erased", actor_type: "service", org_id: null });
    const [deletion] = await t.services.db.query<{
      user_id: string | null;
      pseudonym: string;
      counts: Record<string, Record<string, number>>;
    }>("SELECT user_id, pseudonym, counts FROM backplane.privacy_deletions WHERE id = $1", [asked.body.id]);
    expect(deletion).toMatchObject({ user_id: null, pseudonym });
    expect(deletion?.counts.community).toEqual({ drafts: 1, rules: 1 });
    expect(deletion?.counts.backplane?.["identity.users"]).toBe(1);

    // Signed out everywhere; the other user is untouched.
    expect((await t.call("GET", "/api/drafts/me", { headers: carol.headers })).status).toBe(401);
    expect((await t.call("GET", "/api/drafts/me", { headers: { authorization: `Bearer ${carol.accessToken}` } })).status).toBe(401);
    expect(await findUserResidue(t.services.db, { userId: dave.userId, email: dave.email }, "deep")).toEqual(daveBefore);
    const daveDraft = await t.call("GET", "/api/drafts/me", { headers: dave.headers });
    expect(daveDraft.body.payload).toEqual({ marker: dave.marker });
  });

  it("a table holding user ids that no eraser covers fails the erasure and rolls all of it back", async () => {
    const erin = await seedUser("erin");
    // A module that lands later, without an eraser: the scan reads the catalog, so it is covered unnamed.
    await t.services.db.exec("CREATE SCHEMA latecomer; CREATE TABLE latecomer.notes (id serial PRIMARY KEY, user_id text, body jsonb)");
    try {
      await t.services.db.query("INSERT INTO latecomer.notes (user_id, body) VALUES ($1, '{}')", [erin.userId]);
      const { deletion } = await asService(t.services.db, "test", (tx) =>
        requestDeletion(tx, { userId: erin.userId, pseudonym: pseudonymOf(t.config.BACKPLANE_SECRET, erin.userId), now: new Date() }),
      );
      await expect(eraseUser(t.services, catalog, deletion.id)).rejects.toThrow(/"latecomer"\."notes"\.user_id \(1\)/);
      // Rolled back: the user and their rows are all still there, the erasure still pending.
      expect(await t.services.db.query("SELECT 1 FROM backplane.users WHERE id = $1", [erin.userId])).toHaveLength(1);
      expect(await t.services.db.query("SELECT 1 FROM community.drafts WHERE user_id = $1", [erin.userId])).toHaveLength(1);
      // The deep scan finds an id anywhere in a value, not only in columns named for users.
      await t.services.db.query("UPDATE latecomer.notes SET user_id = NULL, body = $1", [
        JSON.stringify({ author: erin.email.toUpperCase() }),
      ]);
      const residue = await findUserResidue(t.services.db, { userId: erin.userId, email: erin.email }, "deep");
      expect(residue).toContainEqual({ table: '"latecomer"."notes"', column: "body", rows: 1 });
      await t.services.db.query("DELETE FROM latecomer.notes");
      await eraseUser(t.services, catalog, deletion.id);
      expect(await findUserResidue(t.services.db, { userId: erin.userId, email: erin.email }, "deep")).toEqual([]);
    } finally {
      await t.services.db.exec("DROP SCHEMA latecomer CASCADE");
    }
  });
});
