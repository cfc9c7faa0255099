#!/usr/bin/env -S node --max-semi-space-size=4
// The flag caps V8's young generation at 4 MB per semi-space (Node's default grows to 16 MB on a
// large machine): a loaded API server then peaks far lower at the same or better CPU per request
// (docs/benchmarks.md). `npm start` and the benchmark pass the same flags; keep them in step.
//
// Which code runs: an installed package runs the bundled CLI, dist/bundle/cli.js (Node does not
// strip types under node_modules). In a checkout, the bundle when `npm run build` made it after the
// last change to src/, otherwise the TypeScript sources directly, so an edit never runs stale code.
// The bundle (scripts/bundle-cli.ts: our code and most packages in a few files) boots on about a
// third less CPU than tsc's dist/ (which itself boots ~3x faster than type-stripped sources) and
// idles ~10 MB smaller: Node's ESM loader no longer resolves, compiles and links ~700 modules
// (docs/benchmarks.md).
//
// Node's compile cache (V8 code cache on disk, keyed by each file's content, in the OS temp folder
// or NODE_COMPILE_CACHE) spares a boot recompiling what it loads; it is written once the command
// has started (a server is rarely stopped gracefully, when Node would write it).
import { existsSync, readdirSync, statSync } from "node:fs";
import module from "node:module";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";

module.enableCompileCache?.();

const source = new URL("../src/cli.ts", import.meta.url);
const compiled = new URL("../dist/bundle/cli.js", import.meta.url);

// One readdir per folder (with file types) rather than readdir's recursive mode plus a stat of
// every entry: a quarter of the CPU, paid on every start in a checkout.
function newerThan(dir, builtAt) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = `${dir}/${entry.name}`;
    if (statSync(file).mtimeMs > builtAt) return true;
    if (entry.isDirectory() && newerThan(file, builtAt)) return true;
  }
  return false;
}

function compiledIsCurrent() {
  if (!existsSync(compiled)) return false;
  return !newerThan(fileURLToPath(new URL("../src", import.meta.url)), statSync(compiled).mtimeMs);
}

const installed = !existsSync(source) || source.pathname.includes("/node_modules/");
const entry = installed || compiledIsCurrent() ? compiled : source;
const { main } = await import(entry.href);
await main(process.argv);
module.flushCompileCache?.();
// Once started, V8's old generation grows at most 2x its live size between full collections (its
// own factor reaches 4x under load): a loaded API server then peaks ~55 MB lower at the same CPU
// per request (docs/benchmarks.md). Set here rather than on the shebang: during boot, when the heap
// only grows, the fixed factor costs extra full collections (about 40 ms of CPU).
v8.setFlagsFromString("--heap-growing-percent=100");
