/**
 * `npm run client:generate`: writes the Biomech OpenAPI document and generates the client's
 * types from it with openapi-typescript. openapi-typescript 7 drives the TypeScript 5
 * compiler API, which TypeScript 7 (this repo's compiler) no longer ships, so it runs from
 * npm's cache with its own TypeScript 5 instead of being a devDependency. The output is
 * committed; nothing needs this at build or run time.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { biomechOpenApiDocument } from "../src/modules/biomech/openapi-document.ts";

const documentPath = fileURLToPath(new URL("../src/client/biomech-openapi.json", import.meta.url));
const typesPath = fileURLToPath(new URL("../src/client/biomech-api.generated.ts", import.meta.url));

writeFileSync(documentPath, `${JSON.stringify(biomechOpenApiDocument(), null, 2)}\n`);
execFileSync(
  "npm",
  [
    "exec",
    "--yes",
    "--package=openapi-typescript@7.13.0",
    "--package=typescript@5.9.3",
    "--",
    "openapi-typescript",
    documentPath,
    "-o",
    typesPath,
  ],
  { stdio: "inherit" },
);
