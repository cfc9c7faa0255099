#!/usr/bin/env -S node --max-semi-space-size=4
// The flag caps V8's young generation at 4 MB per semi-space (Node's default grows to 16 MB on a
// large machine): a loaded API server then peaks far lower at the same or better CPU per request
// (docs/benchmarks.md). `npm start` and the benchmark pass the same flags; keep them in step.
//
// Which code runs: an installed package runs the compiled dist/ (Node does not strip types under
// node_modules). In a checkout, dist/ when `npm run build` made it after the last change to src/
// (compiled code boots about 3x faster and idles ~30 MB smaller than type-stripped sources),
// otherwise the TypeScript sources directly, so an edit never runs stale code.
import { existsSync, readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const source = new URL("../src/cli.ts", import.meta.url);
const compiled = new URL("../dist/cli.js", import.meta.url);

function compiledIsCurrent() {
  if (!existsSync(compiled)) return false;
  const builtAt = statSync(compiled).mtimeMs;
  const sources = fileURLToPath(new URL("../src/", import.meta.url));
  for (const file of readdirSync(sources, { recursive: true })) {
    if (statSync(`${sources}${file}`).mtimeMs > builtAt) return false;
  }
  return true;
}

const installed = !existsSync(source) || source.pathname.includes("/node_modules/");
const entry = installed || compiledIsCurrent() ? compiled : source;
const { main } = await import(entry.href);
await main(process.argv);
