import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../support/test-app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

// biome-ignore lint/suspicious/noExplicitAny: walking a JSON document
type Json = any;

/** True when the schema (references resolved) carries an example on itself or on anything inside it. */
function hasExample(schema: Json, doc: Json, seen = new Set<string>()): boolean {
  if (!schema || typeof schema !== "object") return false;
  if (schema.$ref) {
    if (seen.has(schema.$ref)) return false;
    seen.add(schema.$ref);
    return hasExample(doc.components.schemas[schema.$ref.split("/").pop()], doc, seen);
  }
  if (schema.example !== undefined || schema.examples !== undefined) return true;
  return Object.values(schema).some((value) => typeof value === "object" && hasExample(value, doc, seen));
}

describe("OpenAPI document: the workflow gateway's routes", () => {
  it("is generated, lists every route, and each has a request (where it takes one) and a success response with examples", async () => {
    const res = await t.call("GET", "/api/openapi.json");
    expect(res.status).toBe(200);
    const doc = res.body;
    const routes = [
      ["post", "/api/v1/workflows"],
      ["get", "/api/v1/workflows"],
      ["get", "/api/v1/workflows/{id}"],
      ["patch", "/api/v1/workflows/{id}"],
      ["post", "/api/v1/workflows/{id}/triggers/{triggerId}/rotate"],
      ["post", "/api/v1/triggers/{key}"],
      ["get", "/api/v1/workflows/{id}/runs"],
      ["get", "/api/v1/runs/{id}"],
      ["get", "/api/v1/logs"],
      ["get", "/api/v1/webhook-events"],
      ["post", "/api/v1/webhook-events/{id}/replay"],
    ];
    for (const [method, path] of routes) {
      const operation = doc.paths[path as string]?.[method as string];
      expect(operation, `${method} ${path}`).toBeDefined();
      const success = Object.entries(operation.responses).find(([status]) => status.startsWith("2"))?.[1] as Json;
      expect(hasExample(success?.content?.["application/json"]?.schema, doc), `${method} ${path} response example`).toBe(true);
      const request = operation.requestBody?.content?.["application/json"]?.schema;
      if (request) expect(hasExample(request, doc), `${method} ${path} request example`).toBe(true);
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in === "path") expect(hasExample(parameter.schema, doc), `${method} ${path} ${parameter.name}`).toBe(true);
      }
    }
    expect(doc.paths["/api/v1/triggers/{key}"].post.requestBody.content["application/x-www-form-urlencoded"]).toBeDefined();
  });
});
