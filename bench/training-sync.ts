/**
 * Training sync figures (issue #12): the first WatermelonDB pull of 10,000 records (server time,
 * response size, the server process's peak RSS) and a push of 1,000 changes, against a real
 * `backplane serve` process on PostgreSQL at 127.0.0.1, with the real `synchronize()` (LokiJS,
 * in memory) as the client. Bounded: 3 rounds of each. Run: `node bench/training-sync.ts`.
 * `npm run bench -- sync` runs it and reports its lines as notes (there is no peer to compare with).
 */
import { writeFileSync } from "node:fs";
import pg from "pg";
import { availableModules } from "../src/modules/registry.ts";
import { migrateAll } from "../src/platform/boot/migrations-for.ts";
import { openPostgres } from "../src/platform/db/open-postgres.ts";
import { signAccessToken } from "../src/platform/identity/access-token.ts";
import { startSession } from "../src/platform/identity/sessions.ts";
import { asService } from "../src/platform/tenancy/with-tenant.ts";
import { createDevice, transportFor } from "../test/training/watermelon.ts";
import { benchConfig } from "./config.ts";
import { freshPort, startServer } from "./lib/proc.ts";
import { backplaneArgs } from "./scenarios/context.ts";

const ROUNDS = 3;
const RECORDS = 10_000;
const PUSHED = 1_000;
const secret = "bench-training-secret-0123456789abcdefghij";
const admin = benchConfig.adminUrl;
const dbName = "bench_training_sync";
const url = new URL(admin);
url.pathname = `/${dbName}`;
const databaseUrl = url.toString();
const MiB = 1024 * 1024;
const log = (line: string) => process.stdout.write(`${line}\n`);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const client = new pg.Client(admin);
await client.connect();
await client.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
await client.query(`CREATE DATABASE ${dbName}`);
await client.end();

const db = openPostgres({ url: databaseUrl, poolMax: 4 });
await migrateAll(db, availableModules);

/** A user with `records` rows spread over the four synced tables, and an access token. */
async function seedUser(label: string, records: number): Promise<{ userId: string; token: string }> {
  const userId = `usr_bench${label}`;
  const sessionId = await asService(db, "bench: seed", async (tx) => {
    await tx.query("INSERT INTO backplane.users (id, email) VALUES ($1, $2)", [userId, `${label}@bench.test`]);
    const session = await startSession(tx, { userId, kind: "token", now: new Date(), client: { userAgent: "bench", clientIp: null } });
    const activities = Math.round(records * 0.4);
    const metrics = Math.round(records * 0.2);
    const plans = Math.round(records * 0.02);
    const workouts = records - activities - metrics - plans;
    await tx.query(
      `INSERT INTO training.activities (user_id, source, type, start_time, duration_sec, distance_meters, avg_hr, max_hr, rpe, trimp, training_load, load_method)
       SELECT $1, 'garmin', (ARRAY['run','cycle','swim'])[1 + i % 3], now() - i * interval '3 hours', 1800 + i % 3600, 5000 + i % 20000,
              130 + i % 40, 160 + i % 30, 1 + i % 10, 50 + i % 100, 50 + i % 100, 'trimp'
       FROM generate_series(1, $2::int) AS i`,
      [userId, activities],
    );
    await tx.query(
      `INSERT INTO training.daily_metrics (user_id, date, resting_hr, hrv_rmssd, sleep_hours, soreness_score, stress_score, readiness_score)
       SELECT $1, current_date - i, 45 + i % 10, 50 + i % 40, 6 + (i % 30) / 10.0, i % 10, i % 10, 40 + i % 60 FROM generate_series(1, $2::int) AS i`,
      [userId, metrics],
    );
    await tx.query(
      "INSERT INTO training.training_plans (id, user_id, goal_race_date, current_phase) SELECT substr(md5($1 || i::text), 1, 16), $1, current_date + i, 'base' FROM generate_series(1, $2::int) AS i",
      [userId, plans],
    );
    await tx.query(
      `INSERT INTO training.scheduled_workouts (user_id, plan_id, date, type, description, target_distance_meters, target_duration_sec, status)
       SELECT $1, substr(md5($1 || (1 + i % $3::int)::text), 1, 16), current_date + i % 365, 'easy', 'Easy aerobic run, conversational pace', 8000, 2700, 'pending'
       FROM generate_series(1, $2::int) AS i`,
      [userId, workouts, plans],
    );
    return session.id;
  });
  return { userId, token: await signAccessToken(secret, { userId, sessionId }, new Date()) };
}

const server = await startServer({
  name: "backplane serve",
  args: backplaneArgs("serve"),
  port: freshPort(),
  env: {
    DATABASE_URL: databaseUrl,
    BACKPLANE_SECRET: secret,
    LOG_LEVEL: "warn",
    NODE_ENV: "production",
    SMTP_URL: "smtp://127.0.0.1:2525",
    MIGRATE_ON_BOOT: "false",
    BACKPLANE_MODULES: "training",
  },
  readyPath: "/api/v1/healthz",
});

/** Peak RSS since now: Linux resets VmHWM to the current RSS on `5` written to clear_refs. */
function resetPeak(): void {
  writeFileSync(`/proc/${server.pid}/clear_refs`, "5");
}

const lines: string[] = [];
try {
  const idle = server.rss();
  log(`server idle RSS ${(idle / MiB).toFixed(0)} MiB`);

  // 1. First pull of 10,000 records: the raw request (server time and size), then synchronize().
  for (const transport of ["rest", "trpc"] as const) {
    const user = await seedUser(`pull${transport}`, RECORDS);
    const { pull } = transportFor(server, transport, () => user.token);
    const times: number[] = [];
    const peaks: number[] = [];
    let bytes = 0;
    let count = 0;
    for (let round = 0; round < ROUNDS; round++) {
      resetPeak();
      const started = performance.now();
      const result = await pull({ lastPulledAt: null, schemaVersion: 1, migration: null });
      times.push(performance.now() - started);
      peaks.push(server.peakRss());
      count = Object.values(result.changes).reduce((sum, table) => sum + table.created.length + table.updated.length, 0);
      bytes = Buffer.byteLength(JSON.stringify(result));
    }
    lines.push(
      `first pull, ${transport}: ${count.toLocaleString("en-US")} records, ${(bytes / MiB).toFixed(1)} MiB JSON, median ${median(times).toFixed(0)} ms (rounds: ${times.map((t) => t.toFixed(0)).join(", ")}), server peak RSS ${(median(peaks) / MiB).toFixed(0)} MiB (idle ${(idle / MiB).toFixed(0)} MiB)`,
    );
    log(lines.at(-1) as string);
  }

  // 2. The same first sync with the real client, and then a push of 1,000 changes.
  const user = await seedUser("device", RECORDS);
  const syncTimes: number[] = [];
  const pushTimes: number[] = [];
  const pushPeaks: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const device = createDevice(server, "trpc", () => user.token);
    resetPeak();
    const started = performance.now();
    await device.sync();
    syncTimes.push(performance.now() - started);
    const activities = (await device.all("activities")).slice(0, PUSHED);
    if (activities.length !== PUSHED) throw new Error(`expected ${PUSHED} activities locally, found ${activities.length}`);
    await device.database.write(async () => {
      const records = await device.database.get("activities").query().fetch();
      await device.database.batch(
        ...records
          .slice(0, PUSHED)
          .map((record: { prepareUpdate(fn: (r: { _setRaw(k: string, v: unknown): void }) => void): unknown }) =>
            record.prepareUpdate((r) => r._setRaw("rpe", 1 + ((round + 3) % 10))),
          ),
      );
    });
    resetPeak();
    let pushMs = 0;
    await device.sync({
      beforePush: async () => {
        pushMs = performance.now();
      },
      afterPush: async () => {
        pushMs = performance.now() - pushMs;
      },
    });
    pushTimes.push(pushMs);
    pushPeaks.push(server.peakRss());
  }
  lines.push(
    `first synchronize() of ${RECORDS.toLocaleString("en-US")} records over tRPC (pull + LokiJS apply, client in this process): median ${median(syncTimes).toFixed(0)} ms (rounds: ${syncTimes.map((t) => t.toFixed(0)).join(", ")})`,
  );
  lines.push(
    `push of ${PUSHED.toLocaleString("en-US")} updated activities over tRPC (one transaction): median ${median(pushTimes).toFixed(0)} ms (rounds: ${pushTimes.map((t) => t.toFixed(0)).join(", ")}), server peak RSS ${(median(pushPeaks) / MiB).toFixed(0)} MiB`,
  );
  for (const line of lines.slice(-2)) log(line);
} finally {
  await server.stop();
  await db.close();
}
