import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../support/test-app.ts";

// What a linter (issue 15: redocly) and a client generator need from the document as a whole.
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe("OpenAPI document", () => {
  it("names every operation with a unique camelCase operationId", async () => {
    const doc = (await t.call("GET", "/api/openapi.json")).body;
    const seen = new Map<string, string>();
    const problems: string[] = [];
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { operationId?: string }>>)) {
      for (const [method, operation] of Object.entries(item)) {
        const name = `${method.toUpperCase()} ${path}`;
        const id = operation.operationId;
        if (!id) problems.push(`${name}: no operationId`);
        else if (!/^[a-z][a-zA-Z0-9]*$/.test(id)) problems.push(`${name}: operationId ${id} is not camelCase`);
        else if (seen.has(id)) problems.push(`${name}: operationId ${id} is also ${seen.get(id)}`);
        else seen.set(id, name);
      }
    }
    expect(seen.size).toBeGreaterThan(30);
    expect(problems).toEqual([]);
  });

  it("says where it is served and under which license", async () => {
    const doc = (await t.call("GET", "/api/openapi.json")).body;
    expect(doc.servers).toEqual([{ url: "/", description: expect.any(String) }]);
    expect(doc.info.license).toEqual({ name: "MIT", url: "https://opensource.org/licenses/MIT" });
  });
});
