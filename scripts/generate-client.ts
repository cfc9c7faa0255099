/**
 * `npm run client:generate`: regenerates the `backplane/client` files from the full OpenAPI
 * document (every module's routes, as served): the types with openapi-typescript
 * (src/client/api.generated.ts) and the operation table the client's methods come from
 * (src/client/operations.generated.ts). openapi-typescript 7 drives the TypeScript 5 compiler API,
 * which TypeScript 7 (this repo's compiler) no longer ships, so it runs from npm's cache with its
 * own TypeScript 5 instead of being a devDependency. The output is committed; nothing needs this
 * at build or run time, and test/client/drift.test.ts fails when the routes moved on without it.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openApiDocument } from "../src/runtime/openapi-document.ts";
import { documentForTypes, renderOperations } from "./client-codegen.ts";

const typesPath = fileURLToPath(new URL("../src/client/api.generated.ts", import.meta.url));
const operationsPath = fileURLToPath(new URL("../src/client/operations.generated.ts", import.meta.url));

const doc = await openApiDocument();
const dir = mkdtempSync(path.join(tmpdir(), "backplane-client-"));
try {
  const input = path.join(dir, "openapi.json");
  writeFileSync(input, JSON.stringify(documentForTypes(doc)));
  execFileSync(
    "npm",
    [
      "exec",
      "--yes",
      "--package=openapi-typescript@7.13.0",
      "--package=typescript@5.9.3",
      "--",
      "openapi-typescript",
      input,
      // A field with a default is optional to send: without this, request bodies would require it.
      "--default-non-nullable=false",
      "-o",
      typesPath,
    ],
    { stdio: "inherit" },
  );
  writeFileSync(operationsPath, renderOperations(doc));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
