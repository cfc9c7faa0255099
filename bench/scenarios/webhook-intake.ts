import pg from "pg";
import { BENCH_SECRET } from "../lib/database.ts";
import { type LoadResult, runLoad } from "../lib/load.ts";
import { freshPort, type ServerProcess, startServer } from "../lib/proc.ts";
import { type Figure, ratios } from "../lib/report.ts";
import { alternate } from "../lib/rounds.ts";
import { spread } from "../lib/stats.ts";
import { backplaneBin, backplaneEnv, type Context, peersDir, type Scenario } from "./context.ts";

const title = "9. Webhook intake (POST /webhooks/strava, 200)";
const SUBSCRIPTION_ID = 120475;
const ATHLETE_ID = 134815;

/** A user with a live Strava link for ATHLETE_ID, written straight into the bench database. */
async function seedConnection(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const userId = `usr_bench${Date.now().toString(36)}`;
    await client.query("INSERT INTO backplane.users (id, email) VALUES ($1, $2)", [userId, `${userId}@bench.example`]);
    await client.query(
      "INSERT INTO training.provider_connections (id, user_id, provider, external_user_id) VALUES ($1, $2, 'strava', $3)",
      [`pcn_bench${Date.now().toString(36)}`, userId, String(ATHLETE_ID)],
    );
  } finally {
    await client.end();
  }
}

// Every request a new event (a redelivery would be a no-op): object id and event time move on.
let sequence = 0;
const stravaEvent = () =>
  JSON.stringify({
    aspect_type: "create",
    event_time: 1_773_124_200 + sequence,
    object_id: 10_000_000 + sequence++,
    object_type: "activity",
    owner_id: ATHLETE_ID,
    subscription_id: SUBSCRIPTION_ID,
    updates: {},
  });

/**
 * Backplane's Strava intake (JSON parse and shape check, subscription id, connected-athlete
 * lookup, inbox row with the raw body and the activity-processing job, one transaction, then
 * 200) vs bare node:http + pg inserting one row. No worker runs: only intake is measured.
 */
export const webhookIntake: Scenario = {
  id: "webhooks",
  title,
  async run(context: Context): Promise<Figure[]> {
    const { config } = context;
    const servers: ServerProcess[] = [];
    try {
      await seedConnection(config.databaseUrl);
      const backplane = await startServer({
        name: "Backplane",
        args: [backplaneBin, "serve"],
        port: freshPort(),
        env: {
          ...backplaneEnv(context),
          BACKPLANE_SECRET: BENCH_SECRET,
          STRAVA_VERIFY_TOKEN: "bench-verify-token",
          STRAVA_SUBSCRIPTION_ID: String(SUBSCRIPTION_ID),
        },
        readyPath: "/",
      });
      servers.push(backplane);
      const bare = await startServer({
        name: "bare node:http + pg insert",
        args: [`${peersDir}bare-trigger.ts`],
        port: freshPort(),
        env: { DATABASE_URL: config.databaseUrl, DATABASE_POOL_MAX: "10" },
        readyPath: "/",
      });
      servers.push(bare);
      const measure = (server: ServerProcess, path: string, expectStatus: number) => async () => {
        const base = {
          url: server.url,
          path,
          method: "POST" as const,
          vary: () => ({ body: stravaEvent() }),
          headers: { "content-type": "application/json" },
          connections: config.connections,
          maxRequests: config.maxRequestsPerLoad,
          expectStatus,
        };
        await runLoad({ ...base, durationSeconds: config.warmupSeconds });
        const result = await runLoad({ ...base, durationSeconds: config.durationSeconds });
        if (result.errors > 0)
          throw new Error(`${server.name}: ${result.errors} of ${result.requests} requests failed (${result.firstError})`);
        context.log(`  ${server.name.padEnd(28)} ${result.rps.toFixed(0).padStart(7)} req/s  p99 ${result.p99.toFixed(3)} ms`);
        return result;
      };
      const result = await alternate<LoadResult>({
        subjects: [
          { name: backplane.name, measure: measure(backplane, "/webhooks/strava", 200) },
          { name: bare.name, measure: measure(bare, "/t/x", 202) },
        ],
        rounds: config.rounds,
        baseline: bare.name,
        value: (sample) => sample.rps,
        maxSpread: config.maxBaselineSpread,
        maxRetries: config.maxRetries,
        log: context.log,
      });
      const of = (name: string, pick: (sample: LoadResult) => number) => (result.samples[name] ?? []).map(pick);
      const figure = (metric: string, unit: string, pick: (sample: LoadResult) => number): Figure => ({
        scenario: title,
        metric,
        unit,
        backplane: spread(of(backplane.name, pick)),
        baselines: [{ name: bare.name, value: spread(of(bare.name, pick)), ratio: ratios(of(backplane.name, pick), of(bare.name, pick)) }],
        flagged: result.flagged,
      });
      return [figure("200/s", "", (sample) => sample.rps), figure("latency p99", " ms", (sample) => sample.p99)];
    } finally {
      await Promise.all(servers.map((server) => server.stop()));
    }
  },
};
