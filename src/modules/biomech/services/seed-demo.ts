import { createHmac, type KeyObject } from "node:crypto";
import { formatApiKey, randomPartFrom } from "../../../platform/auth/api-key-format.ts";
import { subkey } from "../../../platform/auth/key-digest.ts";
import type { Database } from "../../../platform/db/database.ts";
import { createKey } from "../../../platform/keys/create-key.ts";
import { asService } from "../../../platform/tenancy/with-tenant.ts";
import { sessionKinds } from "../schemas.ts";

export interface DemoData {
  orgs: { id: string; name: string; slug: string }[];
  athletes: { id: string; orgId: string; name: string }[];
  sessions: number;
  key: { id: string; key: string; orgId: string; scopes: string[]; revoked: boolean };
}

const ORGS = [
  {
    label: "acme",
    name: "Acme Performance Lab",
    slug: "demo-acme-performance",
    athletes: ["Ada Sprint", "Ben Vault", "Cleo Squat", "Dev Hurdle"],
    sessions: 700,
  },
  { label: "bolt", name: "Bolt Athletics", slug: "demo-bolt-athletics", athletes: ["Eli Throw", "Fay Gait"], sessions: 300 },
] as const;

/**
 * Stable ids: seeding twice finds the same rows instead of making new ones. They are keyed by
 * the install's secret, so no two installs share demo org or key ids that outsiders could guess.
 */
function demoIdFor(idKey: KeyObject, prefix: "org" | "ath" | "ses" | "key", label: string): string {
  const hash = createHmac("sha256", idKey).update(`backplane-demo:${prefix}:${label}`).digest();
  let out = "";
  for (const byte of hash) {
    if (out.length === 20) break;
    out += "0123456789abcdefghijklmnopqrstuvwxyz"[byte % 36];
  }
  return `${prefix}_${out}`;
}

/** A small seeded PRNG (mulberry32): the same "random" demo data every run. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The dev key is derived from BACKPLANE_SECRET, so a second run prints the same working key
 * without the database ever storing it (only its digest, as for every key). It is a
 * `bp_test_` key with `biomech:read` on the first org only.
 */
function demoKey(secret: string): string {
  return formatApiKey("test", randomPartFrom(createHmac("sha256", subkey(secret, "demo-dev-key")).update("dev").digest()));
}

/**
 * Seeds demo data idempotently: two orgs, six athletes, 1,000 sessions, one dev key. Rows
 * that exist are left alone (ON CONFLICT DO NOTHING), so it is safe to run on every start.
 */
export async function seedDemo(db: Database, options: { secret: string; now?: Date }): Promise<DemoData> {
  const now = (options.now ?? new Date()).getTime();
  const idKey = subkey(options.secret, "demo-ids");
  const demoId = (prefix: "org" | "ath" | "ses" | "key", label: string) => demoIdFor(idKey, prefix, label);
  // Seeds several orgs at once: cross-tenant by nature.
  return asService(db, "seed demo", async (tx) => {
    const data: DemoData = { orgs: [], athletes: [], sessions: 0, key: { id: "", key: "", orgId: "", scopes: [], revoked: false } };
    for (const [orgIndex, org] of ORGS.entries()) {
      const orgId = demoId("org", org.label);
      await tx.query("INSERT INTO backplane.orgs (id, name, slug) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING", [
        orgId,
        org.name,
        org.slug,
      ]);
      data.orgs.push({ id: orgId, name: org.name, slug: org.slug });

      const athleteIds = org.athletes.map((name) => demoId("ath", `${org.label}:${name}`));
      await tx.query(
        `INSERT INTO biomech.athletes (id, org_id, display_name)
         SELECT id, $2, name FROM unnest($1::text[], $3::text[]) AS a(id, name) ON CONFLICT (id) DO NOTHING`,
        [athleteIds, orgId, [...org.athletes]],
      );
      org.athletes.forEach((name, i) => {
        data.athletes.push({ id: athleteIds[i] as string, orgId, name });
      });

      const random = prng(orgIndex + 1);
      const rows = { id: [] as string[], athlete: [] as string[], at: [] as Date[], kind: [] as string[], duration: [] as number[] };
      const metrics = { reps: [] as number[], force: [] as number[], velocity: [] as number[], asymmetry: [] as (number | null)[] };
      let at = now - 60_000;
      for (let i = 0; i < org.sessions; i++) {
        // Every tenth session shares its predecessor's timestamp: clients see real ties.
        if (i % 10 !== 9) at -= Math.round(20 * 60_000 + random() * 6 * 3_600_000);
        rows.id.push(demoId("ses", `${org.label}:${i}`));
        rows.athlete.push(athleteIds[Math.floor(random() * athleteIds.length)] as string);
        rows.at.push(new Date(at));
        rows.kind.push(sessionKinds[Math.floor(random() * sessionKinds.length)] as string);
        rows.duration.push(Math.round(5_000 + random() * 3_600_000));
        metrics.reps.push(Math.floor(1 + random() * 12));
        metrics.force.push(Math.round((800 + random() * 2400) * 10) / 10);
        metrics.velocity.push(Math.round((0.5 + random() * 9) * 100) / 100);
        metrics.asymmetry.push(random() < 0.2 ? null : Math.round(random() * 150) / 10);
      }
      await tx.query(
        `INSERT INTO biomech.sessions (id, org_id, athlete_id, captured_at, kind, duration_ms, rep_count, peak_force_n, peak_velocity_mps, asymmetry_pct, raw, device_serial)
         SELECT id, $2, athlete, at, kind, duration, reps, force, velocity, asymmetry, jsonb_build_object('frames', reps * 240, 'source', 'demo'), 'DEMO-0001'
         FROM unnest($1::text[], $3::text[], $4::timestamptz[], $5::text[], $6::int[], $7::int[], $8::float8[], $9::float8[], $10::float8[])
           AS s(id, athlete, at, kind, duration, reps, force, velocity, asymmetry)
         ON CONFLICT (id) DO NOTHING`,
        [rows.id, orgId, rows.athlete, rows.at, rows.kind, rows.duration, metrics.reps, metrics.force, metrics.velocity, metrics.asymmetry],
      );
      data.sessions += org.sessions;
    }

    const firstOrg = data.orgs[0]?.id as string;
    const key = await createKey(tx, {
      id: demoId("key", "dev"),
      key: demoKey(options.secret),
      secret: options.secret,
      name: "demo dev key",
      orgId: firstOrg,
      scopes: ["biomech:read"],
      environment: "test",
      createdBy: "seed",
    });
    data.key = { id: key.id, key: key.key, orgId: firstOrg, scopes: key.scopes, revoked: key.revokedAt !== null };
    return data;
  });
}
