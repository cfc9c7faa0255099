import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runToEnd } from "./proc.ts";

const peers = fileURLToPath(new URL("../peers/", import.meta.url));
const nextApp = path.join(peers, "next");

/**
 * The NestJS and Next.js peers are their own npm package (bench/peers/package.json, with its
 * lockfile), installed here on first use, so the app's own install (and CI) never carries
 * ~370 MB of frameworks that exist only to be compared against. `npm install` rather than
 * `npm ci`: the registry here lacks the macOS/Windows builds of @next/swc, which `npm ci`
 * insists on finding in the lockfile; they are optional and skipped for this platform.
 */
export async function installPeers(log: (line: string) => void): Promise<void> {
  if (
    existsSync(path.join(peers, "node_modules/next/package.json")) &&
    existsSync(path.join(peers, "node_modules/@nestjs/core/package.json")) &&
    existsSync(path.join(peers, "node_modules/graphile-worker/package.json"))
  )
    return;
  log(
    "  installing the benchmark peers (NestJS, Next.js, graphile-worker) (bench/peers, once; ~15 s with a warm npm cache, minutes on a cold one)…",
  );
  const started = performance.now();
  // A cold cache took over 300 s here once: a heartbeat says it is alive, a 15-minute bound keeps
  // the run finite, and two retries with fewer sockets ride out a registry hiccup (npm resumes from its cache).
  const heartbeat = setInterval(
    () => log(`  … still installing the peers (${Math.round((performance.now() - started) / 1000)} s)`),
    30_000,
  );
  try {
    // Few sockets: the registry proxy here has refused some of many parallel TLS connections
    // (SELF_SIGNED_CERT_IN_CHAIN); it failed twice at 4 sockets on 2026-11-26 and passed at 1.
    const socketsPerAttempt = [4, 1, 1];
    for (let attempt = 1; ; attempt++) {
      const sockets = socketsPerAttempt[attempt - 1] ?? 1;
      try {
        await runToEnd("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", `--maxsockets=${sockets}`], {
          cwd: peers,
          timeoutMs: 900_000,
        });
        break;
      } catch (error) {
        if (attempt >= socketsPerAttempt.length) throw error;
        const next = socketsPerAttempt[attempt] ?? 1;
        log(`  peer install failed (${(error as Error).message.split("\n")[0]}); retrying with ${next} socket(s)`);
      }
    }
  } finally {
    clearInterval(heartbeat);
  }
  log(`  peers installed in ${Math.round((performance.now() - started) / 1000)} s`);
}

const newest = (files: string[]) => Math.max(...files.map((file) => (existsSync(file) ? statSync(file).mtimeMs : 0)));

/** `next build` of the peer app, skipped when the build is newer than its sources. */
export async function buildNextPeer(log: (line: string) => void): Promise<void> {
  const sources = ["app/api/biomech/sessions/route.ts", "lib/db.ts", "next.config.mjs", "../package-lock.json"].map((file) =>
    path.join(nextApp, file),
  );
  const buildId = path.join(nextApp, ".next/BUILD_ID");
  if (existsSync(buildId) && statSync(buildId).mtimeMs > newest(sources)) return;
  log("  next build (bench/peers/next)…");
  await runToEnd(process.execPath, [path.join(peers, "node_modules/next/dist/bin/next"), "build"], {
    cwd: nextApp,
    env: { NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
    timeoutMs: 400_000,
  });
}

export const nextBin = () => path.join(peers, "node_modules/next/dist/bin/next");
export const nextAppDir = nextApp;
