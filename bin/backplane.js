#!/usr/bin/env node
// In a checkout, Node 24 runs the TypeScript sources directly (type stripping);
// an installed package runs the compiled dist/ (Node does not strip types under node_modules).
import { existsSync } from "node:fs";

const source = new URL("../src/cli.ts", import.meta.url);
const compiled = new URL("../dist/cli.js", import.meta.url);
const entry = existsSync(source) && !source.pathname.includes("/node_modules/") ? source : compiled;
const { main } = await import(entry.href);
await main(process.argv);
