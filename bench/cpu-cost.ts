/**
 * `node bench/cpu-cost.ts [health|read|intake] [requests]`: server CPU time per request (every thread,
 * from the scheduler's nanosecond counters in /proc) for Backplane and the bare baseline, each over the same fixed
 * number of requests. On a shared or noisy machine req/s swings by half between rounds; the CPU
 * a server spends per request barely moves, so this is the A/B tool for one change at a time.
 * Prepares its own database (bp_cpu, or BENCH_DATABASE_NAME) on the bench server. Linux only. CPU_COST_BASE_CHECKOUT=<dir>
 * adds a second Backplane checkout (the commit before a change) to the same interleaved batches.
 */
import { readdirSync, readFileSync } from "node:fs";
import pg from "pg";
import { benchConfig, withDatabase } from "./config.ts";
import { prepareDatabase } from "./lib/database.ts";
import { runLoad } from "./lib/load.ts";
import { freshPort, type ServerProcess, startServer } from "./lib/proc.ts";
import { backplaneArgs, backplaneEnv, type Context, launcherFlags, peersDir } from "./scenarios/context.ts";
import { seedTrigger, triggerBody } from "./scenarios/trigger-intake.ts";

/** CPU time of every thread of the process, in µs, from the scheduler's nanosecond counters. */
function cpuMicros(pid: number): number {
  let nanos = 0;
  for (const thread of readdirSync(`/proc/${pid}/task`)) {
    nanos += Number(readFileSync(`/proc/${pid}/task/${thread}/schedstat`, "utf8").split(" ")[0]);
  }
  return nanos / 1_000;
}

/** CPU time, in µs, of the PostgreSQL backends serving the bench database (subjects run one at a time). */
async function databaseMicros(admin: pg.Client, database: string): Promise<number> {
  const { rows } = await admin.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = $1", [database]);
  let micros = 0;
  for (const { pid } of rows) {
    try {
      micros += cpuMicros(pid);
    } catch {
      // a backend that ended meanwhile
    }
  }
  return micros;
}

interface Subject {
  server: ServerProcess;
  path: string;
  headers: Record<string, string>;
  /** A POST with this JSON body, answered 202 (the trigger intake); otherwise a GET answered 200. */
  post?: string;
}

async function costPerRequest(
  { server, path, headers, post }: Subject,
  requests: number,
  database?: { admin: pg.Client; name: string },
  warm = true,
) {
  const load = {
    url: server.url,
    path,
    headers: post ? { ...headers, "content-type": "application/json" } : headers,
    connections: benchConfig.connections,
    durationSeconds: 120,
    ...(post ? { method: "POST" as const, body: post, expectStatus: 202 } : {}),
  };
  if (warm) await runLoad({ ...load, maxRequests: Math.min(requests, 5_000) }); // JIT, pools, caches
  const before = cpuMicros(server.pid);
  const dbBefore = database ? await databaseMicros(database.admin, database.name) : 0;
  const result = await runLoad({ ...load, maxRequests: requests });
  const after = cpuMicros(server.pid);
  const dbAfter = database ? await databaseMicros(database.admin, database.name) : 0;
  if (result.errors > 0) throw new Error(`${server.name}: ${result.errors} errors (${result.firstError})`);
  return { micros: (after - before) / result.requests, dbMicros: (dbAfter - dbBefore) / result.requests, rps: result.rps };
}

async function main() {
  const which = process.argv[2] ?? "health";
  const requests = Number(process.argv[3] ?? 40_000);
  // Its own database (BENCH_DATABASE_NAME, default bp_cpu), so it can run beside `npm run bench`.
  const databaseName = benchConfig.cpuCostDatabaseName;
  const config = { ...benchConfig, databaseName, databaseUrl: withDatabase(benchConfig.adminUrl, databaseName) };
  const seeded = await prepareDatabase(config);
  const readPath = `/api/biomech/sessions?orgId=${seeded.orgId}&limit=25`;
  const context = { config, seeded, log: console.log, notes: [] } as unknown as Context;
  const servers: ServerProcess[] = [];
  // Counts the database's side too: a round trip saved is CPU saved in a PostgreSQL backend.
  const admin = new pg.Client({ connectionString: config.databaseUrl.replace(/\/[^/]*$/, "/postgres") });
  await admin.connect();
  const database = { admin, name: config.databaseName };
  try {
    const start = async (name: string, args: string[], env: Record<string, string> = {}) => {
      const server = await startServer({ name, args, port: freshPort(), env, readyPath: "/api/health" });
      servers.push(server);
      return server;
    };
    // CPU_COST_NODE_FLAGS: V8/Node flags for the first Backplane only (an A/B of flags against the base checkout).
    const flags = benchConfig.cpuCostNodeFlags;
    const backplane = await start("Backplane", [...flags, ...backplaneArgs("serve")], backplaneEnv(context));
    // A second checkout (e.g. a git worktree of the commit before a change) measured in the same rounds.
    const before = benchConfig.cpuCostBaseCheckout;
    const base = before
      ? await start("Backplane (base)", [...launcherFlags, `${before}/bin/backplane.js`, "serve"], backplaneEnv(context))
      : undefined;
    const bareEnv = { DATABASE_URL: config.databaseUrl, DATABASE_POOL_MAX: "10" };
    const triggerPath = which === "intake" ? `/api/v1/triggers/${await seedTrigger(config.databaseUrl, seeded.orgId)}` : "";
    const subjects: Subject[] =
      which === "read"
        ? [
            { server: backplane, path: readPath, headers: { "x-api-key": seeded.apiKey } },
            ...(base ? [{ server: base, path: readPath, headers: { "x-api-key": seeded.apiKey } }] : []),
            { server: await start("bare node:http + pg", [`${peersDir}bare-sessions.ts`], bareEnv), path: readPath, headers: {} },
          ]
        : which === "intake"
          ? [
              { server: backplane, path: triggerPath, headers: {}, post: triggerBody },
              ...(base ? [{ server: base, path: triggerPath, headers: {}, post: triggerBody }] : []),
              {
                server: await start("bare node:http + pg insert", [`${peersDir}bare-trigger.ts`], bareEnv),
                path: "/t/x",
                headers: {},
                post: triggerBody,
              },
            ]
          : [
              { server: backplane, path: "/api/health", headers: {} },
              ...(base ? [{ server: base, path: "/api/health", headers: {} }] : []),
              { server: await start("Hono (bare app)", [`${peersDir}hono-health.ts`]), path: "/api/health", headers: {} },
              { server: await start("bare node:http", [`${peersDir}bare-health.ts`]), path: "/api/health", headers: {} },
            ];
    // Many short batches, interleaved across subjects; other work on the machine only ever adds
    // CPU time, so the minimum (and the lower quartile) is the steadiest figure.
    const batches = 15;
    const perBatch = Math.max(500, Math.round(requests / batches));
    for (const subject of subjects) await costPerRequest(subject, 3_000);
    const costs = new Map<string, number[]>();
    const dbCosts = new Map<string, number[]>();
    for (let batch = 0; batch < batches; batch++) {
      for (const subject of subjects) {
        const { server } = subject;
        const { micros, dbMicros } = await costPerRequest(subject, perBatch, database, false);
        costs.set(server.name, [...(costs.get(server.name) ?? []), micros]);
        dbCosts.set(server.name, [...(dbCosts.get(server.name) ?? []), dbMicros]);
      }
    }
    const peakRss = new Map(subjects.map(({ server }) => [server.name, server.peakRss() / 1024 / 1024]));
    const bareName = subjects[subjects.length - 1]?.server.name ?? "";
    const q1 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 4)] ?? Number.NaN;
    for (const [name, values] of costs) {
      const min = Math.min(...values);
      const ratio = q1(costs.get(bareName) ?? []) / q1(values);
      const db = q1(dbCosts.get(name) ?? []);
      const dbBare = q1(dbCosts.get(bareName) ?? []);
      const both = (q1(costs.get(bareName) ?? []) + dbBare) / (q1(values) + db);
      console.log(
        `${name.padEnd(24)} min ${min.toFixed(1).padStart(6)}  q1 ${q1(values).toFixed(1).padStart(6)} µs CPU/request   bare/this (q1) ${ratio.toFixed(2)}×   ` +
          `database q1 ${db.toFixed(1).padStart(6)} µs   server+database bare/this ${both.toFixed(2)}×   peak RSS ${(peakRss.get(name) ?? 0).toFixed(0)} MB`,
      );
    }
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    await admin.end();
  }
}

await main();
