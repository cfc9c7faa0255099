/**
 * `npm run build`'s second step: the CLI (src/cli.ts) as one bundle, dist/bundle/cli.js, which
 * bin/backplane.js runs. Node's ESM loader then resolves, compiles and links a handful of files
 * instead of ~700 modules: a boot costs about a third less CPU and idles smaller
 * (docs/benchmarks.md, "Boot and memory (issue #14)"). tsc's dist/ stays: the package's exports
 * (./client, ./trpc, ./next) and their .d.ts come from it.
 *
 * Two folders down from the package root, like src/platform/paths.ts itself, so `packageRoot`
 * (migrations/) resolves the same from the bundle. What stays a package import, and why, is
 * `external` below; lazy imports (PGlite, the embedded socket, nodemailer, …) become chunks beside
 * cli.js and still load on first use.
 */
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "rolldown";

const root = fileURLToPath(new URL("..", import.meta.url));
const outDir = `${root}dist/bundle`;

const external = [
  // Worker-thread transports: pino resolves its transport targets (pino-pretty) and thread-stream
  // its worker file from their own package folders, which a bundled copy no longer sits in.
  /^pino(-pretty|-abstract-transport)?(\/|$)/,
  /^thread-stream(\/|$)/,
  // The embedded database finds its .wasm and .data files next to its own modules (import.meta.url).
  /^@electric-sql\//,
  // pg's optional native binding: required only when `pg.native` is read, and not installed.
  "pg-native",
];

rmSync(outDir, { recursive: true, force: true });
await build({
  input: `${root}src/cli.ts`,
  platform: "node",
  external,
  tsconfig: `${root}tsconfig.json`,
  // A lazy import of a module something else imports eagerly just stays in the main chunk: not a fault.
  onLog(level, log, handler) {
    if (log.code !== "INEFFECTIVE_DYNAMIC_IMPORT") handler(level, log);
  },
  output: { dir: outDir, format: "esm", sourcemap: true, chunkFileNames: "[name]-[hash].js" },
});
