import pg from "pg";
import { hashSessionToken } from "../../src/platform/identity/session-token.ts";
import { type LoadResult, runLoad } from "../lib/load.ts";
import { freshPort, type ServerProcess, startServer } from "../lib/proc.ts";
import { type Figure, ratios } from "../lib/report.ts";
import { alternate } from "../lib/rounds.ts";
import { spread } from "../lib/stats.ts";
import { backplaneBin, backplaneEnv, type Context, type Scenario } from "./context.ts";

const title = "8. Telemetry ingestion (POST /api/telemetry/events, 500-event batches)";
const BATCH = 500;
const USERS = 50;
/** Batches per measured load (and a tenth of it as warm-up): bounds the rows each load writes. */
const MAX_BATCHES = 240;
/** Events measured for the storage figure, extrapolated to 1M. */
const SIZE_EVENTS = 100_000;

const types = ["document.edited", "message.sent", "message.read", "issue.created", "file.opened", "design.edited", "meeting.joined"];
const apps = ["notion", "slack", "linear", "figma", "google-calendar", "github"];

/**
 * One representative event: a client uuid (unique per batch index and position), a type, an app,
 * a recent time (distinct per position) and the two properties the performance analysis reads. About 190 bytes of JSON.
 */
function eventAt(batch: number, position: number, occurredAt: string) {
  const id = `${batch.toString(16).padStart(8, "0")}-${position.toString(16).padStart(4, "0")}-4000-8000-000000000000`;
  return {
    id,
    type: types[(batch + position) % types.length] as string,
    // Distinct times within a batch, as a client's events have (equal keys would let btree
    // deduplication shrink any index on time and flatter the storage figure).
    occurredAt: new Date(Date.parse(occurredAt) + position * 97).toISOString(),
    app: apps[position % apps.length] as string,
    properties: { durationMs: 40 + ((batch * 7 + position * 13) % 900), status: position % 50 === 0 ? 500 : 200 },
  };
}

async function seedUsers(client: pg.Client): Promise<{ ids: string[]; cookies: string[] }> {
  const ids: string[] = [];
  const cookies: string[] = [];
  for (let i = 0; i < USERS; i++) {
    const id = `usr_benchtelemetry${i.toString().padStart(3, "0")}`;
    // 43 URL-safe characters, the session token shape.
    const token = `benchtelemetrysessiontoken${i.toString().padStart(3, "0")}`.padEnd(43, "x");
    await client.query("INSERT INTO backplane.users (id, email) VALUES ($1, $2) ON CONFLICT DO NOTHING", [id, `telemetry-${i}@bench.test`]);
    await client.query(
      `INSERT INTO backplane.sessions (id, user_id, kind, token_hash, expires_at, absolute_expires_at)
       VALUES ($1, $2, 'cookie', $3, now() + interval '1 day', now() + interval '2 days') ON CONFLICT DO NOTHING`,
      [`sess_benchtelemetry${i}`, id, hashSessionToken(token)],
    );
    ids.push(id);
    cookies.push(`bp_session=${token}`);
  }
  return { ids, cookies };
}

/** The floor: the same 500 rows as one multi-row INSERT from a pool of the same size, no HTTP, no checks, no job. */
async function bareInserts(
  pool: pg.Pool,
  options: { users: string[]; connections: number; seconds: number; maxBatches: number; first: number; occurredAt: string },
) {
  let next = options.first;
  let done = 0;
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const loop = async () => {
    while (done < options.maxBatches && performance.now() < deadline) {
      const batch = next++;
      const user = options.users[batch % options.users.length] as string;
      const values: unknown[] = [];
      const tuples: string[] = [];
      for (let position = 0; position < BATCH; position++) {
        const event = eventAt(batch, position, options.occurredAt);
        const base = position * 6;
        tuples.push(`($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5}, $${base + 6})`);
        values.push(user, event.id, event.type, event.app, event.occurredAt, JSON.stringify(event.properties));
      }
      const t0 = performance.now();
      await pool.query(
        `INSERT INTO insights.telemetry_events (user_id, id, type, app, occurred_at, properties) VALUES ${tuples.join(", ")}`,
        values,
      );
      latencies.push(performance.now() - t0);
      done++;
    }
  };
  await Promise.all(Array.from({ length: options.connections }, loop));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests: done,
    errors: 0,
    seconds,
    rps: done / seconds,
    p50: latencies[Math.floor(latencies.length * 0.5)] ?? 0,
    p99: latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.99) - 1)] ?? 0,
    nextBatch: next,
  };
}

/**
 * Backplane's ingest path (cookie session lookup, CSRF check, JSON parse and validation of 500
 * events, the per-user lock, the opt-out read, one INSERT … SELECT FROM unnest … ON CONFLICT DO
 * NOTHING, the debounced enqueue, all in one transaction) against a bare multi-row INSERT of the
 * same rows into the same table. Each load starts from an empty table. Then the table's size per
 * event, measured on 100k representative events and extrapolated to 1M.
 */
export const telemetryIngest: Scenario = {
  id: "telemetry",
  title,
  async run(context: Context): Promise<Figure[]> {
    const { config } = context;
    const client = new pg.Client({ connectionString: config.databaseUrl });
    await client.connect();
    const pool = new pg.Pool({ connectionString: config.databaseUrl, max: config.connections });
    let backplane: ServerProcess | null = null;
    try {
      const users = await seedUsers(client);
      const occurredAt = new Date(Date.now() - 60_000).toISOString();
      // The body is built once with a placeholder where the batch number goes: the load generator
      // shares the cores with the server, so it must not spend them making 500 uuids per request.
      const template = JSON.stringify({ events: Array.from({ length: BATCH }, (_, position) => eventAt(0, position, occurredAt)) });
      let batchNumber = 1;
      const bodyFor = () => template.replaceAll("00000000-", `${(batchNumber++).toString(16).padStart(8, "0")}-`);

      backplane = await startServer({
        name: "Backplane",
        args: [backplaneBin, "serve"],
        port: freshPort(),
        env: backplaneEnv(context),
        readyPath: "/",
      });
      const server = backplane;
      const empty = () => client.query("TRUNCATE insights.telemetry_events");
      const viaBackplane = async (): Promise<LoadResult> => {
        await empty();
        const base = {
          url: server.url,
          path: "/api/telemetry/events",
          method: "POST" as const,
          headers: { "content-type": "application/json", "sec-fetch-site": "same-origin" },
          connections: config.connections,
          expectStatus: 202,
          vary: (index: number) => ({ body: bodyFor(), headers: { cookie: users.cookies[index % USERS] as string } }),
        };
        await runLoad({ ...base, durationSeconds: config.warmupSeconds, maxRequests: MAX_BATCHES / 10 });
        const result = await runLoad({ ...base, durationSeconds: config.durationSeconds, maxRequests: MAX_BATCHES });
        if (result.errors > 0) throw new Error(`Backplane: ${result.errors} of ${result.requests} batches failed (${result.firstError})`);
        context.log(
          `  ${"Backplane".padEnd(28)} ${(result.rps * BATCH).toFixed(0).padStart(8)} events/s  batch p99 ${result.p99.toFixed(1)} ms`,
        );
        return result;
      };
      const bare = async (): Promise<LoadResult> => {
        await empty();
        const common = { users: users.ids, connections: config.connections, occurredAt };
        const warm = await bareInserts(pool, {
          ...common,
          seconds: config.warmupSeconds,
          maxBatches: MAX_BATCHES / 10,
          first: batchNumber,
        });
        const result = await bareInserts(pool, {
          ...common,
          seconds: config.durationSeconds,
          maxBatches: MAX_BATCHES,
          first: warm.nextBatch,
        });
        batchNumber = result.nextBatch;
        context.log(
          `  ${"bare multi-row INSERT".padEnd(28)} ${(result.rps * BATCH).toFixed(0).padStart(8)} events/s  batch p99 ${result.p99.toFixed(1)} ms`,
        );
        return result;
      };
      const bareName = "bare multi-row INSERT (pg, no HTTP)";
      const result = await alternate<LoadResult>({
        subjects: [
          { name: "Backplane", measure: viaBackplane },
          { name: bareName, measure: bare },
        ],
        rounds: config.rounds,
        baseline: bareName,
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
        backplane: spread(of("Backplane", pick)),
        baselines: [{ name: bareName, value: spread(of(bareName, pick)), ratio: ratios(of("Backplane", pick), of(bareName, pick)) }],
        flagged: result.flagged,
      });
      const throughput = figure("events/s", "", (sample) => sample.rps * BATCH);
      throughput.note = `${config.connections} connections, ${USERS} users round-robin, at most ${MAX_BATCHES} batches per load; each load starts from an empty table`;
      const p99 = figure("batch latency p99", " ms", (sample) => sample.p99);

      // Storage: 100k representative events (through the bare insert: the rows are the same), vacuumed.
      await empty();
      await bareInserts(pool, {
        users: users.ids,
        connections: config.connections,
        occurredAt,
        seconds: 600,
        maxBatches: SIZE_EVENTS / BATCH,
        first: batchNumber,
      });
      await client.query("VACUUM ANALYZE insights.telemetry_events");
      const [sizes] = (
        await client.query<{ n: string; total: string; heap: string; indexes: string; toast: string }>(
          `SELECT count(*) AS n, pg_total_relation_size('insights.telemetry_events') AS total,
                  pg_relation_size('insights.telemetry_events') AS heap, pg_indexes_size('insights.telemetry_events') AS indexes,
                  coalesce(pg_total_relation_size(reltoastrelid), 0) AS toast
           FROM insights.telemetry_events, pg_class WHERE pg_class.oid = 'insights.telemetry_events'::regclass GROUP BY reltoastrelid`,
        )
      ).rows;
      const events = Number(sizes?.n ?? 0);
      const perMillion = (bytes: string | undefined) => (Number(bytes ?? 0) / events) * 1_000_000;
      const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
      const storage: Figure = {
        scenario: title,
        metric: "database bytes per 1M events",
        unit: " MiB",
        backplane: spread([perMillion(sizes?.total) / 1024 ** 2]),
        baselines: [],
        note: `measured on ${events.toLocaleString("en-US")} events and extrapolated ×${(1_000_000 / events).toFixed(0)}: heap ${mib(perMillion(sizes?.heap))}, indexes ${mib(perMillion(sizes?.indexes))} (primary key (user, id), (user, seq), BRIN on occurred_at and received_at), TOAST ${mib(perMillion(sizes?.toast))}`,
      };
      context.log(`  storage: ${storage.note}`);
      await empty();
      return [throughput, p99, storage];
    } finally {
      await backplane?.stop();
      await pool.end();
      await client.end();
    }
  },
};
