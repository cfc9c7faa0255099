/**
 * The deployed footprint docs/cost-and-limits.md quotes: RSS of one `backplane start` (API and
 * worker in one process, every module) on real PostgreSQL, once booted and idle, and its peak
 * (VmHWM) after a bounded mixed load: authenticated reads, the two cron ticks over HTTP, and
 * privacy-free health checks. Also the idle RSS of the embedded (PGlite, in-process) mode.
 *
 *   node bench/footprint.ts      (BENCH_DATABASE_URL: a server it may create a database on)
 *
 * Bounded: 20 s of load at 10 connections, at most 200,000 requests; loopback only.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { benchConfig } from "./config.ts";
import { BENCH_SECRET, BENCH_SMTP_URL, prepareDatabase } from "./lib/database.ts";
import { runLoad } from "./lib/load.ts";
import { freshPort, startServer } from "./lib/proc.ts";
import { backplaneBin } from "./scenarios/context.ts";

const MiB = 1024 * 1024;
const config = { ...benchConfig, databaseName: "bp_footprint", sessionsPerOrg: 2000 };
config.databaseUrl = (() => {
  const url = new URL(config.adminUrl);
  url.pathname = "/bp_footprint";
  return url.toString();
})();
const CRON_SECRET = "footprint-cron-secret-0123456789";
const mb = (bytes: number) => `${(bytes / MiB).toFixed(0)} MB`;

const seeded = await prepareDatabase(config);
const common = { BACKPLANE_SECRET: BENCH_SECRET, SMTP_URL: BENCH_SMTP_URL, LOG_LEVEL: "warn", LOG_PRETTY: "false", CRON_SECRET };

const server = await startServer({
  name: "backplane start",
  args: [backplaneBin, "start"],
  port: freshPort(),
  env: { ...common, DATABASE_URL: config.databaseUrl },
  readyPath: "/api/health",
});
try {
  await sleep(15_000); // boot garbage collected, worker polling: the steady idle state
  const idle = server.rss();
  const cron = { authorization: `Bearer ${CRON_SECRET}` };
  const [read, health] = await Promise.all([
    runLoad({
      url: server.url,
      path: `/api/biomech/sessions?orgId=${seeded.orgId}&limit=25`,
      headers: { "x-api-key": seeded.apiKey },
      connections: 8,
      durationSeconds: 20,
      maxRequests: 150_000,
    }),
    runLoad({ url: server.url, path: "/api/health", connections: 2, durationSeconds: 20, maxRequests: 50_000 }),
    (async () => {
      for (let i = 0; i < 5; i++) {
        for (const route of ["/api/metrics/collect", "/api/privacy/cron/cleanup"]) {
          const answer = await fetch(server.url + route, { headers: cron });
          if (answer.status !== 200) throw new Error(`${route}: ${answer.status} ${await answer.text()}`);
        }
        await sleep(3_000);
      }
    })(),
  ]);
  const peak = server.peakRss();
  console.log(
    `postgres mode: idle ${mb(idle)}, peak ${mb(peak)} after ${read.requests} reads (${read.rps.toFixed(0)}/s, ${read.errors} errors) and ${health.requests} health checks`,
  );
} finally {
  await server.stop();
}

const dataDir = mkdtempSync(path.join(tmpdir(), "bp-footprint-"));
try {
  const embedded = await startServer({
    name: "backplane start (embedded)",
    args: [backplaneBin, "start"],
    port: freshPort(),
    env: { ...common, BACKPLANE_DATA_DIR: dataDir },
    readyPath: "/api/health",
    readyTimeoutMs: 120_000,
  });
  try {
    await sleep(15_000);
    console.log(`embedded mode (PGlite in-process): idle ${mb(embedded.rss())}, peak during first boot ${mb(embedded.peakRss())}`);
  } finally {
    await embedded.stop();
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

// The footprint database is scratch: leave nothing behind on the shared server.
const admin = new pg.Client({ connectionString: config.adminUrl });
await admin.connect();
await admin.query("DROP DATABASE IF EXISTS bp_footprint WITH (FORCE)");
await admin.end();
