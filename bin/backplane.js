#!/usr/bin/env -S node --max-semi-space-size=4
// The flag caps V8's young generation at 4 MB per semi-space (Node's default grows to 16 MB on a
// large machine): a loaded API server then peaks far lower at the same or better CPU per request
// (docs/benchmarks.md). `npm start` and the benchmark pass the same flags; keep them in step.
// In a checkout, Node 24 runs the TypeScript sources directly (type stripping);
// an installed package runs the compiled dist/ (Node does not strip types under node_modules).
import { existsSync } from "node:fs";

const source = new URL("../src/cli.ts", import.meta.url);
const compiled = new URL("../dist/cli.js", import.meta.url);
const entry = existsSync(source) && !source.pathname.includes("/node_modules/") ? source : compiled;
const { main } = await import(entry.href);
await main(process.argv);
