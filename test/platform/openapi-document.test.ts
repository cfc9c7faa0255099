import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiDocument } from "../../src/runtime/openapi-document.ts";
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

  it("declares each operation's credentials, public ones as `security: []`, with schemes it defines", async () => {
    const doc = (await t.call("GET", "/api/openapi.json")).body;
    const schemes = new Set(Object.keys(doc.components.securitySchemes));
    const problems: string[] = [];
    let publicOperations = 0;
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { security?: Record<string, string[]>[] }>>)) {
      for (const [method, operation] of Object.entries(item)) {
        const name = `${method.toUpperCase()} ${path}`;
        if (!Array.isArray(operation.security)) problems.push(`${name}: no security`);
        else if (operation.security.length === 0) publicOperations++;
        for (const requirement of operation.security ?? [])
          for (const scheme of Object.keys(requirement)) if (!schemes.has(scheme)) problems.push(`${name}: unknown scheme ${scheme}`);
      }
    }
    expect(problems).toEqual([]);
    // The health probes, sign-in, public community reads, provider webhooks and trigger URLs.
    expect(publicOperations).toBeGreaterThan(15);
    expect(doc.paths["/api/v1/livez"].get.security).toEqual([]);
    expect(doc.paths["/api/v1/workflows"].get.security).toEqual([{ ApiKey: [] }]);
  });

  it("has only OpenAPI's own fields on operations (no route middleware leaks into it)", async () => {
    const doc = (await t.call("GET", "/api/openapi.json")).body;
    // OpenAPI 3.1's Operation Object; extensions would start with x-.
    const known = new Set(["tags", "summary", "description", "externalDocs", "operationId", "parameters", "requestBody"]);
    for (const field of ["responses", "callbacks", "deprecated", "security", "servers"]) known.add(field);
    const unknown: string[] = [];
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, object>>)) {
      for (const [method, operation] of Object.entries(item)) {
        for (const field of Object.keys(operation))
          if (!known.has(field) && !field.startsWith("x-")) unknown.push(`${method} ${path}: ${field}`);
      }
    }
    expect(unknown).toEqual([]);
  });

  it("is the same document when built without a database (what openapi:lint and the client generator read)", async () => {
    const served = (await t.call("GET", "/api/openapi.json")).body;
    expect(await openApiDocument()).toEqual(served);
  });
});
