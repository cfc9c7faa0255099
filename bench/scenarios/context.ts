import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { BenchConfig } from "../config.ts";
import { BENCH_SECRET, BENCH_SMTP_URL, type Seeded } from "../lib/database.ts";
import { type LoadResult, runLoad } from "../lib/load.ts";
import type { ServerProcess } from "../lib/proc.ts";
import type { Figure } from "../lib/report.ts";

export interface Context {
  config: BenchConfig;
  seeded: Seeded;
  log(line: string): void;
  /** Run-level notes that end up under the table. */
  notes: string[];
}

export interface Scenario {
  id: string;
  title: string;
  run(context: Context): Promise<Figure[]>;
}

export const backplaneBin = fileURLToPath(new URL("../../bin/backplane.js", import.meta.url));
/** The Node flags on the launcher's shebang line (`#!/usr/bin/env -S node <flags>`), so the bench starts Backplane as `npx backplane` does. */
export const launcherFlags: string[] = (readFileSync(backplaneBin, "utf8").split("\n")[0] ?? "").split(" ").slice(3);
/** Arguments for `process.execPath` that run a Backplane command the way the launcher does. */
export const backplaneArgs = (...command: string[]) => [...launcherFlags, backplaneBin, ...command];
export const peersDir = fileURLToPath(new URL("../peers/", import.meta.url));

/** The environment a benchmarked Backplane server runs with: real Postgres, production mode, warn logs. */
export function backplaneEnv(context: Context): Record<string, string> {
  return {
    DATABASE_URL: context.config.databaseUrl,
    BACKPLANE_SECRET: BENCH_SECRET,
    BIOMECH_API_KEYS: context.seeded.staticKey,
    LOG_LEVEL: "warn",
    LOG_PRETTY: "false",
    NODE_ENV: "production",
    SMTP_URL: BENCH_SMTP_URL,
  };
}

/** Warm-up (discarded) then one measured load, both bounded in time and count. */
export async function warmAndMeasure(
  context: Context,
  server: ServerProcess,
  path: string,
  headers: Record<string, string> = {},
): Promise<LoadResult> {
  const { config } = context;
  const base = { url: server.url, path, headers, connections: config.connections, maxRequests: config.maxRequestsPerLoad };
  await runLoad({ ...base, durationSeconds: config.warmupSeconds });
  const result = await runLoad({ ...base, durationSeconds: config.durationSeconds });
  if (result.errors > 0) throw new Error(`${server.name}: ${result.errors} of ${result.requests} requests failed (${result.firstError})`);
  context.log(
    `  ${server.name.padEnd(28)} ${result.rps.toFixed(0).padStart(7)} req/s  p50 ${result.p50.toFixed(3)} ms  p99 ${result.p99.toFixed(3)} ms`,
  );
  return result;
}
