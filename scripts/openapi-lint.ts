/**
 * `npm run openapi:lint`: writes the served OpenAPI document to a temporary file and runs
 * `redocly lint` on it with Redocly's recommended rules (no config file: nothing is turned off),
 * failing on any error or warning.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openApiDocument } from "../src/runtime/openapi-document.ts";

const dir = mkdtempSync(path.join(tmpdir(), "backplane-openapi-"));
const file = path.join(dir, "openapi.json");
try {
  writeFileSync(file, `${JSON.stringify(await openApiDocument(), null, 2)}\n`);
  // recommended-strict: the recommended rules with every warning an error (redocly exits 0 on
  // warnings). `npm run` puts node_modules/.bin first on PATH.
  const result = spawnSync("redocly", ["lint", file, "--extends=recommended-strict", "--format=stylish"], { stdio: "inherit" });
  if (result.error) {
    console.error(`redocly could not run (${result.error.message}): add the devDependency @redocly/cli@2.77.0`);
    process.exitCode = 1;
  } else process.exitCode = result.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
