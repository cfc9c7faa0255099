/**
 * Process start to first 200 on /api/health, for the embedded database (fresh and existing
 * data folder) and real PostgreSQL (BENCH_DATABASE_URL, see bench/config.ts), each beside its
 * floor measured the same way in the same round (bench/peers/boot-floor-*.js: node:http + pg, or
 * + PGlite on a copy of the data folder). Usage: node bench/boot.ts [rounds]
 */
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openPostgres } from "../src/platform/db/open-postgres.ts";
import { benchConfig } from "./config.ts";
import { median } from "./lib/stats.ts";

const bin = fileURLToPath(new URL("../bin/backplane.js", import.meta.url));
const launcherFlags = (readFileSync(bin, "utf8").split("\n")[0] ?? "").split(" ").slice(3);
const floorScript = (name: string) => fileURLToPath(new URL(`./peers/boot-floor-${name}.js`, import.meta.url));

/** What a boot starts: Backplane's `serve` as its launcher would, or a floor (same flags). */
export type BootSubject = "serve" | "floor-postgres" | "floor-pglite";
const argsFor = (subject: BootSubject) =>
  subject === "serve" ? [...launcherFlags, bin, "serve"] : [...launcherFlags, floorScript(subject.slice("floor-".length))];

/** A copy of an embedded data folder for a floor to open: never the folder Backplane owns. */
export function copyDataDir(dataDir: string): string {
  const copy = `${dataDir}-floor`;
  rmSync(copy, { recursive: true, force: true });
  cpSync(dataDir, copy, { recursive: true });
  return copy;
}

/**
 * CPU time the process has used so far, every thread, in ms (the scheduler's nanosecond counters,
 * as bench/cpu-cost.ts reads them); NaN where /proc is missing. Unlike wall time, other load on
 * the machine barely moves it, so it is the figure to compare boots by on a shared machine.
 */
function cpuMs(pid: number): number {
  try {
    let nanos = 0;
    for (const thread of readdirSync(`/proc/${pid}/task`)) {
      nanos += Number(readFileSync(`/proc/${pid}/task/${thread}/schedstat`, "utf8").split(" ")[0]);
    }
    return nanos / 1e6;
  } catch {
    return Number.NaN;
  }
}

export interface BootTime {
  /** Start → first 200 on /api/health, wall clock. */
  ms: number;
  /** The server's CPU time at that moment. */
  cpuMs: number;
}

/** Ports nothing listens on now, from the OS (held together, so they differ): a random one could be another server's, whose 200 would be counted. */
async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))));
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

export async function measureBoot(env: Record<string, string>, subject: BootSubject = "serve"): Promise<BootTime> {
  const [port, embeddedPort] = await freePorts(2);
  const started = performance.now();
  const child = spawn(process.execPath, argsFor(subject), {
    env: {
      HOME: homedir(),
      LOG_LEVEL: "warn",
      LOG_PRETTY: "false",
      PORT: String(port),
      BACKPLANE_EMBEDDED_PG_PORT: String(embeddedPort),
      ...env,
    },
    stdio: "ignore",
  });
  try {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/api/health`);
        if (response.status === 200) return { ms: performance.now() - started, cpuMs: cpuMs(child.pid as number) };
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error("server did not answer within 60 s");
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rounds = Number(process.argv[2] ?? 3);
  // The benchmark's own database (bench/config.ts), created when missing; never the admin database.
  const admin = openPostgres({ url: benchConfig.adminUrl, poolMax: 1 });
  const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [benchConfig.databaseName]);
  if (exists.length === 0) await admin.exec(`CREATE DATABASE ${benchConfig.databaseName}`);
  await admin.close();
  const dir = mkdtempSync(path.join(tmpdir(), "bp-boot-"));
  const results: Record<string, BootTime[]> = {
    "embedded (first run: initdb + migrate)": [],
    "embedded (existing data)": [],
    "floor: node:http + PGlite (same data)": [],
    postgres: [],
    "floor: node:http + pg": [],
  };
  const push = (name: string, boot: BootTime) => results[name]?.push(boot);
  for (let round = 0; round < rounds; round++) {
    const dataDir = path.join(dir, `data-${round}`);
    push("embedded (first run: initdb + migrate)", await measureBoot({ BACKPLANE_DATA_DIR: dataDir }));
    const floorDir = copyDataDir(dataDir);
    push("embedded (existing data)", await measureBoot({ BACKPLANE_DATA_DIR: dataDir }));
    push("floor: node:http + PGlite (same data)", await measureBoot({ BACKPLANE_DATA_DIR: floorDir }, "floor-pglite"));
    push("postgres", await measureBoot({ DATABASE_URL: benchConfig.databaseUrl }));
    push("floor: node:http + pg", await measureBoot({ DATABASE_URL: benchConfig.databaseUrl }, "floor-postgres"));
  }
  rmSync(dir, { recursive: true, force: true });
  const shown = (values: number[]) => `median ${median(values).toFixed(0)} ms (${values.map((v) => v.toFixed(0)).join(", ")})`;
  for (const [name, boots] of Object.entries(results)) {
    if (boots.length) console.log(`${name}: ${shown(boots.map((b) => b.ms))}; CPU to ready ${shown(boots.map((b) => b.cpuMs))}`);
  }
  for (const [name, floor] of [
    ["postgres", "floor: node:http + pg"],
    ["embedded (existing data)", "floor: node:http + PGlite (same data)"],
  ] as const) {
    const pairs = (key: "ms" | "cpuMs") => (results[name] ?? []).map((boot, i) => [boot[key], results[floor]?.[i]?.[key] ?? Number.NaN]);
    const ratio = (key: "ms" | "cpuMs") => median(pairs(key).map(([a, b]) => (a as number) / (b as number))).toFixed(2);
    const over = (key: "ms" | "cpuMs") => median(pairs(key).map(([a, b]) => (a as number) - (b as number))).toFixed(0);
    console.log(`${name} ÷ floor: wall ${ratio("ms")}× (+${over("ms")} ms), CPU ${ratio("cpuMs")}× (+${over("cpuMs")} ms)`);
  }
}
