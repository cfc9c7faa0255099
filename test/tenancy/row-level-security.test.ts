import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { recordAuditEvent, serviceSource } from "../../src/platform/audit/record-audit-event.ts";
import { defineJob } from "../../src/platform/jobs/define-job.ts";
import { createOrg } from "../../src/platform/orgs/create-org.ts";
import { asService, withTenant } from "../../src/platform/tenancy/with-tenant.ts";
import { captureTimes, insertAthlete, insertSessions } from "../biomech/biomech-data.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { seedTrainingRows } from "../training/seed-rows.ts";
import { seedWorkflowRows } from "../workflows/seed-rows.ts";

/** Every table in the database with row-level security on, from the catalog: a new table is covered without editing this test. */
const rlsTables = `
SELECT n.nspname AS schema, c.relname AS name
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND c.relrowsecurity
ORDER BY 1, 2`;

/** Every tenant table: one with an org_id or user_id column (or backplane.orgs itself) outside the infrastructure schemas. */
const tenantTables = `
SELECT DISTINCT n.nspname AS schema, c.relname AS name
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind IN ('r', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgboss')
  AND (a.attname IN ('org_id', 'user_id') OR (n.nspname = 'backplane' AND c.relname = 'orgs'))
ORDER BY 1, 2`;

const failure = async (promise: Promise<unknown>): Promise<string> => {
  try {
    await promise;
    return "ok";
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
};

describe("row-level security", () => {
  let t: TestApp;
  let orgA: string;
  let orgB: string;
  let tables: { schema: string; name: string }[];

  beforeAll(async () => {
    t = await createTestApp();
    const { db } = t.services;
    orgA = (await createOrg(db, { name: "RLS A" })).id;
    orgB = (await createOrg(db, { name: "RLS B" })).id;
    for (const org of [orgA, orgB]) await insertSessions(db, org, await insertAthlete(db, org), captureTimes(3));
    await db.query(
      "INSERT INTO backplane.api_keys (id, org_id, name, digest, prefix, environment, scopes, created_by) VALUES ($1, $2, 'k', $3, 'bp_test_x', 'test', '{biomech:read}', 'test')",
      ["key_rlsa", orgA, "a".repeat(64)],
    );
    await recordAuditEvent(db, { ...serviceSource("test"), orgId: orgA, action: "test.seeded" });
    // Identity and the community module (user-owned rows).
    await db.exec(`
      INSERT INTO backplane.users (id, email) VALUES ('usr_rlsa', 'rls-a@example.test');
      INSERT INTO backplane.org_members (org_id, user_id) VALUES ('${orgA}', 'usr_rlsa');
      INSERT INTO backplane.sessions (id, user_id, kind, expires_at, absolute_expires_at)
        VALUES ('sess_rlsa', 'usr_rlsa', 'token', now() + interval '1 day', now() + interval '2 days');
      INSERT INTO backplane.refresh_tokens (id, session_id, user_id, token_hash, expires_at)
        VALUES ('rtk_rlsa', 'sess_rlsa', 'usr_rlsa', '${"b".repeat(64)}', now() + interval '1 day');
      INSERT INTO community.drafts (user_id, payload) VALUES ('usr_rlsa', '{}');
      INSERT INTO community.rules (id, user_id, title, document) VALUES ('rul_rlsa', 'usr_rlsa', 'RLS', '{}');
      INSERT INTO insights.privacy_settings (user_id) VALUES ('usr_rlsa');
      INSERT INTO insights.telemetry_events (user_id, id, type, occurred_at) VALUES ('usr_rlsa', gen_random_uuid(), 'rls.seeded', now());
      INSERT INTO insights.usage_hourly (user_id, hour, type, events) VALUES ('usr_rlsa', date_trunc('hour', now()), 'rls.seeded', 1);
      INSERT INTO insights.sequence_daily (user_id, day, sequence, occurrences) VALUES ('usr_rlsa', current_date, '{a,b}', 1);
      INSERT INTO insights.app_performance_daily (user_id, app, day, samples, errors, latency_count) VALUES ('usr_rlsa', 'x', current_date, 1, 0, 0);
      INSERT INTO insights.analysis_state (user_id, analysis) VALUES ('usr_rlsa', 'patterns');
      INSERT INTO insights.insights (id, user_id, kind, key, title) VALUES ('ins_rlsa', 'usr_rlsa', 'pattern', 'streak', 'RLS');
      INSERT INTO insights.integration_connections (user_id, integration_id) VALUES ('usr_rlsa', 'slack');
      INSERT INTO insights.suggestions (id, user_id, integration_id, reason, evidence, score) VALUES ('sug_rlsa', 'usr_rlsa', 'github', 'RLS', '{}', 1);
      INSERT INTO backplane.privacy_exports (id, user_id, requested_at) VALUES ('pex_rlsa', 'usr_rlsa', now());
      INSERT INTO backplane.privacy_deletions (id, user_id, pseudonym, requested_at) VALUES ('pdl_rlsa', 'usr_rlsa', 'anon_0a', now());
      INSERT INTO backplane.external_identities (provider, issuer, subject, user_id, created_at, last_seen_at)
        VALUES ('supabase', 'https://rls.supabase.co/auth/v1', 'sub-rlsa', 'usr_rlsa', now(), now());
    `);
    // The workflows module and the webhook inbox.
    await seedWorkflowRows(db, orgA);
    // The training module (user-owned rows, sync clock and tombstones).
    await seedTrainingRows(db, "usr_rlsa");
    // Every tenant table needs a row here for the loop below to prove it hides it: a new table's
    // module adds one line above (the loop fails with "has rows to hide" until it does).
    tables = await db.query(tenantTables);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("every tenant table has row-level security on (and the list is not empty)", async () => {
    expect(tables.map((table) => `${table.schema}.${table.name}`)).toEqual(
      expect.arrayContaining(["backplane.orgs", "backplane.api_keys", "biomech.athletes", "biomech.sessions"]),
    );
    const protectedTables = new Set(
      (await t.services.db.query<{ schema: string; name: string }>(rlsTables)).map((r) => `${r.schema}.${r.name}`),
    );
    for (const table of tables) expect(protectedTables, `${table.schema}.${table.name}`).toContain(`${table.schema}.${table.name}`);
  });

  it("as the app role with no tenant context, SELECT returns 0 rows and INSERT fails, on every tenant table", async () => {
    for (const { schema, name } of tables) {
      const qualified = `"${schema}"."${name}"`;
      const [all] = await asService(t.services.db, "test", (tx) => tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${qualified}`));
      expect(all?.n, `${qualified} has rows to hide`).toBeGreaterThan(0);
      const seen = await withTenant(t.services.db, { orgId: null, userId: null, principal: "test" }, (tx) =>
        tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${qualified}`),
      );
      expect(seen[0]?.n, qualified).toBe(0);
      // A copy of an existing row, so every NOT NULL and CHECK holds and only the policy can refuse
      // it (PostgreSQL checks policies before constraints): 42501.
      const [row] = await asService(t.services.db, "test", (tx) => tx.query(`SELECT to_jsonb(t) AS row FROM ${qualified} t LIMIT 1`));
      const inserted = await failure(
        withTenant(t.services.db, { orgId: null, userId: null, principal: "test" }, (tx) =>
          tx.query(`INSERT INTO ${qualified} OVERRIDING SYSTEM VALUE SELECT * FROM jsonb_populate_record(NULL::${qualified}, $1)`, [
            row?.row,
          ]),
        ),
      );
      expect(inserted, qualified).toBe("42501");
    }
  });

  it("shows one org's rows and refuses writes into another org", async () => {
    const asA = <T>(fn: Parameters<typeof withTenant<T>>[2]) =>
      withTenant(t.services.db, { orgId: orgA, userId: null, principal: "test" }, fn);
    expect(await asA((tx) => tx.query("SELECT id FROM backplane.orgs ORDER BY id"))).toEqual([{ id: orgA }]);
    const orgsOfSessions = await asA((tx) => tx.query<{ org_id: string }>("SELECT DISTINCT org_id FROM biomech.sessions"));
    expect(orgsOfSessions).toEqual([{ org_id: orgA }]);
    expect(await asA((tx) => tx.query("SELECT id FROM backplane.api_keys"))).toEqual([{ id: "key_rlsa" }]);
    // 42501: new row violates row-level security policy.
    expect(
      await failure(asA((tx) => tx.query("INSERT INTO biomech.athletes (id, org_id, display_name) VALUES ('ath_rlsx', $1, 'x')", [orgB]))),
    ).toBe("42501");
    // Another org's rows are invisible to UPDATE and DELETE: nothing changes.
    expect(await asA((tx) => tx.query("UPDATE biomech.sessions SET rep_count = 99 WHERE org_id = $1 RETURNING id", [orgB]))).toEqual([]);
    expect(await asA((tx) => tx.query("DELETE FROM biomech.sessions WHERE org_id = $1 RETURNING id", [orgB]))).toEqual([]);
    // Moving a row to another org is refused too (WITH CHECK on UPDATE).
    expect(await failure(asA((tx) => tx.query("UPDATE backplane.api_keys SET org_id = $1 WHERE id = 'key_rlsa'", [orgB])))).toBe("42501");
  });

  it("a setting left empty by an earlier transaction on the same connection still matches nothing", async () => {
    await t.services.db.withSession(async (session) => {
      await session.exec("BEGIN");
      await session.query("SELECT set_config('app.org_id', $1, true)", [orgA]);
      await session.exec("COMMIT");
      await session.exec("BEGIN");
      try {
        expect((await session.query<{ v: string | null }>("SELECT current_setting('app.org_id', true) AS v"))[0]?.v).toBe("");
        await session.query("SELECT set_config('role', 'backplane_app', true)");
        expect((await session.query<{ n: number }>("SELECT count(*)::int AS n FROM biomech.sessions"))[0]?.n).toBe(0);
      } finally {
        await session.exec("ROLLBACK");
      }
    });
  });

  it("a job can be enqueued in the same tenant transaction as the change", async () => {
    const job = defineJob({ name: "test.tenant-enqueue", queue: "default", payload: z.object({ n: z.number() }), handler: async () => {} });
    const id = await withTenant(t.services.db, { orgId: orgA, userId: null, principal: "test" }, async (tx) => {
      await tx.query("UPDATE biomech.sessions SET rep_count = rep_count WHERE org_id = $1", [orgA]);
      return t.services.jobs.enqueue(job, { n: 1 }, { tx });
    });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
