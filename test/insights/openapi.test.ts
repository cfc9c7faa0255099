import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../support/test-app.ts";
import { createInsightsApp } from "./support.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createInsightsApp();
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

describe("OpenAPI document: the Floyo routes", () => {
  it("lists every route with an operationId, user security, and examples for requests, responses and path parameters", async () => {
    const doc = (await t.call("GET", "/api/openapi.json")).body;
    const routes = [
      ["post", "/api/telemetry/events"],
      ["get", "/api/privacy/settings"],
      ["put", "/api/privacy/settings"],
      ["get", "/api/insights"],
      ["get", "/api/insights/patterns"],
      ["get", "/api/insights/performance"],
      ["get", "/api/integrations"],
      ["post", "/api/integrations/{id}/connect"],
      ["delete", "/api/integrations/{id}"],
      ["get", "/api/integrations/suggestions"],
      ["post", "/api/integrations/suggestions/{id}/dismiss"],
    ];
    for (const [method, path] of routes) {
      const operation = doc.paths[path as string]?.[method as string];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(operation.operationId, `${method} ${path}`).toMatch(/^[a-z][A-Za-z]+$/);
      expect(operation.security).toEqual([{ SessionCookie: [] }, { BearerAuth: [] }]);
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(["401", "400"]));
      const success = Object.entries(operation.responses).find(([status]) => status.startsWith("2"))?.[1] as Json;
      expect(hasExample(success?.content?.["application/json"]?.schema, doc), `${method} ${path} response example`).toBe(true);
      for (const [type, content] of Object.entries(operation.requestBody?.content ?? {}) as [string, Json][]) {
        expect(hasExample(content.schema, doc), `${method} ${path} ${type} request example`).toBe(true);
      }
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in === "path") expect(hasExample(parameter.schema, doc), `${method} ${path} ${parameter.name}`).toBe(true);
      }
    }
    expect(Object.keys(doc.paths["/api/telemetry/events"].post.requestBody.content).sort()).toEqual(["application/json", "text/plain"]);
  });
});
