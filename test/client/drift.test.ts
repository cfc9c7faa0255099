import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderOperations } from "../../scripts/client-codegen.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

// The client's generated files against the document the server serves now. After changing a
// route: `npm run client:generate` and commit both files.
const read = (name: string) => readFileSync(new URL(`../../src/client/${name}`, import.meta.url), "utf8");

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe("backplane/client's generated files", () => {
  it("the operation table (with the document's digest) is the one the served document gives", async () => {
    const doc = (await t.call("GET", "/api/openapi.json")).body;
    expect(read("operations.generated.ts"), "the routes changed: run npm run client:generate and commit both files").toEqual(
      renderOperations(doc),
    );
  });

  it("the types have every path and operation of the served document", async () => {
    const doc = (await t.call("GET", "/api/openapi.json")).body;
    const types = read("api.generated.ts");
    const missing: string[] = [];
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { operationId: string }>>)) {
      if (!types.includes(`    "${path}": {`)) missing.push(path);
      for (const operation of Object.values(item))
        if (!types.includes(`    ${operation.operationId}: {`)) missing.push(operation.operationId);
    }
    expect(missing, "run npm run client:generate and commit both files").toEqual([]);
  });
});
