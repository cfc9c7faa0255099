import { fileURLToPath } from "node:url";
import pg from "pg";
import { displayPrefixOf, formatApiKey, randomPartFrom } from "../../src/platform/auth/api-key-format.ts";
import { keyDigester } from "../../src/platform/auth/key-digest.ts";
import type { BenchConfig } from "../config.ts";
import { runToEnd } from "./proc.ts";

const bin = fileURLToPath(new URL("../../bin/backplane.js", import.meta.url));

/** The secret every Backplane process of a run shares, so the seeded key verifies. Bench only. */
export const BENCH_SECRET = "backplane-benchmark-secret-not-for-production-use";
/** Production mode requires SMTP_URL; no benchmark sends mail, so nothing listens here. */
export const BENCH_SMTP_URL = "smtp://127.0.0.1:2525";

export interface Seeded {
  orgId: string;
  /** A database key bound to orgId with biomech:read. */
  apiKey: string;
  /** A static key (BIOMECH_API_KEYS), what the peers check. */
  staticKey: string;
  sessions: number;
}

/** null when it answers; otherwise why not (the run then skips with that message). */
export async function postgresUnreachable(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return null;
  } catch (error) {
    return (error as Error).message || String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The server's version and the settings that moved figures between runs: `autovacuum = off` left
 * pg-boss's job table unanalyzed and halved the queue's throughput once (docs/benchmarks.md).
 */
export async function postgresVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; setting: string }>(
      "SELECT name, current_setting(name) AS setting FROM pg_settings WHERE name = ANY($1) ORDER BY name",
      [["server_version", "autovacuum", "shared_buffers", "synchronous_commit"]],
    );
    const setting = new Map(rows.map((row) => [row.name, row.setting]));
    const others = rows.filter((row) => row.name !== "server_version").map((row) => `${row.name}=${row.setting}`);
    return `${setting.get("server_version") ?? "unknown"} (${others.join(", ")})`;
  } finally {
    await client.end();
  }
}

/** Drops and recreates the benchmark's own database, migrates it with the real CLI and seeds it. */
export async function prepareDatabase(config: BenchConfig): Promise<Seeded> {
  await freshMigratedDatabase(config.adminUrl, config.databaseName);
  return seed(config);
}

/** Drops and recreates a database of the benchmark's own and migrates it with the real CLI; returns its URL. */
export async function freshMigratedDatabase(adminUrl: string, databaseName: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const name = pg.Client.prototype.escapeIdentifier(databaseName);
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${databaseName}`;
  await runToEnd(process.execPath, [bin, "migrate"], {
    env: { DATABASE_URL: url.toString(), BACKPLANE_SECRET: BENCH_SECRET, LOG_LEVEL: "warn", LOG_PRETTY: "false" },
    timeoutMs: 120_000,
  });
  return url.toString();
}

/** Drops a database of the benchmark's own (the queue's backlog database when its case ends). */
export async function dropDatabase(adminUrl: string, databaseName: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${pg.Client.prototype.escapeIdentifier(databaseName)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

async function seed(config: BenchConfig): Promise<Seeded> {
  const client = new pg.Client({ connectionString: config.databaseUrl });
  await client.connect();
  try {
    // Two orgs, so every read really is scoped: org B's rows sit in the same index.
    const orgs = ["org_benchalpha", "org_benchbravo"];
    for (const [i, id] of orgs.entries()) {
      await client.query("INSERT INTO backplane.orgs (id, name, slug) VALUES ($1, $2, $3)", [id, `Bench ${i}`, `bench-${i}`]);
      await client.query(
        `INSERT INTO biomech.athletes (id, org_id, display_name)
         SELECT 'ath_' || $2 || 'x' || g, $1, 'Athlete ' || g FROM generate_series(1, 40) g`,
        [id, i],
      );
      await client.query(
        `INSERT INTO biomech.sessions (id, org_id, athlete_id, captured_at, kind, duration_ms, rep_count,
                                       peak_force_n, peak_velocity_mps, asymmetry_pct, raw, device_serial)
         SELECT 'ses_' || $2 || 'x' || g, $1, 'ath_' || $2 || 'x' || (1 + g % 40),
                timestamptz '2026-01-01' + g * interval '7 minutes 13.217 seconds',
                (ARRAY['sprint','jump','squat','throw','gait'])[1 + g % 5],
                20000 + (g * 37) % 90000, g % 30, 800 + (g * 13) % 2400, 2 + (g % 90) / 10.0, (g % 170) / 10.0,
                jsonb_build_object('frames', (SELECT jsonb_agg(x) FROM generate_series(1, 50) x), 'device', 'imu-v2'),
                'SN' || (1000 + g % 50)
         FROM generate_series(1, $3::int) g`,
        [id, i, config.sessionsPerOrg],
      );
    }
    // A database key for org A, stored exactly as `backplane keys create` stores one.
    const apiKey = formatApiKey("live", randomPartFrom(Buffer.from("benchmark-key-0123456789abcdef0123456789")));
    await client.query(
      `INSERT INTO backplane.api_keys (id, org_id, name, digest, prefix, environment, scopes, created_by)
       VALUES ('key_bench', $1, 'benchmark', $2, $3, 'live', ARRAY['biomech:read'], 'cli')`,
      [orgs[0], keyDigester(BENCH_SECRET)(apiKey), displayPrefixOf(apiKey)],
    );
    await client.query("ANALYZE");
    return {
      orgId: orgs[0] as string,
      apiKey,
      staticKey: "bench-static-key-0123456789abcdef",
      sessions: config.sessionsPerOrg * orgs.length,
    };
  } finally {
    await client.end();
  }
}
