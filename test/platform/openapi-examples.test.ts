import type { RouteConfig } from "@hono/zod-openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ZodType } from "zod";
import { errorCodes } from "../../src/platform/http/errors.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

// Issue 11, item 7: "every route in the OpenAPI document has request and response examples".
// This walks the document every shipped module contributes to (new modules included, with no
// list to update here) and checks, per operation: each parameter, each request body media type
// and each documented response with a body has a COMPLETE example (one given for the whole body,
// or one per required field, recursively), and that example passes the route's own zod schema,
// so an example cannot drift from the contract. Error examples must carry a code of their status.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

// biome-ignore lint/suspicious/noExplicitAny: walking a JSON document
type Json = any;
const NONE = Symbol("no example");

/**
 * The example a reader of the document sees for `schema`: its own `example`, else one built
 * from its parts. Records every place nothing can be built from into `gaps`.
 */
function exampleOf(schema: Json, doc: Json, where: string, gaps: string[], seen = new Set<string>()): unknown {
  if (!schema || typeof schema !== "object") {
    gaps.push(where);
    return NONE;
  }
  if (schema.$ref) {
    if (seen.has(schema.$ref)) return NONE;
    const name = schema.$ref.split("/").pop();
    return exampleOf(doc.components.schemas[name], doc, where, gaps, new Set([...seen, schema.$ref]));
  }
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  // A one-of-a-few value documents itself.
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  for (const key of ["anyOf", "oneOf"]) {
    if (!Array.isArray(schema[key])) continue;
    const branches = schema[key].filter((branch: Json) => branch.type !== "null");
    for (const branch of branches) {
      const value = exampleOf(branch, doc, where, [], seen);
      if (value !== NONE) return value;
    }
    gaps.push(where);
    return NONE;
  }
  if (Array.isArray(schema.allOf)) {
    const merged: Record<string, unknown> = {};
    for (const part of schema.allOf) {
      // A part that only annotates (a description, "or null") adds no fields of its own.
      const annotates = !["$ref", "properties", "items", "anyOf", "oneOf", "allOf", "example", "examples"].some((key) => key in part);
      if (annotates) continue;
      const value = exampleOf(part, doc, where, gaps, seen);
      if (value === NONE) return NONE;
      Object.assign(merged, value);
    }
    return merged;
  }
  const type = Array.isArray(schema.type) ? schema.type.find((name: string) => name !== "null") : schema.type;
  if (type === "object" && schema.properties) {
    const value: Record<string, unknown> = {};
    let complete = true;
    for (const [name, property] of Object.entries(schema.properties)) {
      const required = (schema.required ?? []).includes(name);
      // An optional field without an example is simply left out of the built example.
      const fieldGaps: string[] = [];
      const field = exampleOf(property, doc, `${where}.${name}`, fieldGaps, seen);
      if (field !== NONE) value[name] = field;
      else if (required) {
        complete = false;
        gaps.push(...fieldGaps);
      }
    }
    return complete ? value : NONE;
  }
  if (type === "array" && schema.items) {
    const item = exampleOf(schema.items, doc, `${where}[]`, gaps, seen);
    return item === NONE ? NONE : [item];
  }
  // A scalar, a free-form object (record, unknown) or an empty schema: only an example says what goes there.
  gaps.push(where);
  return NONE;
}

function mediaExample(media: Json, doc: Json, where: string, gaps: string[]): unknown {
  if (media.example !== undefined) return media.example;
  const named = Object.values(media.examples ?? {}) as Json[];
  if (named.length > 0) return named[0].value;
  return exampleOf(media.schema, doc, where, gaps);
}

/** The zod schema of one parameter, from the route's request contract. */
function parameterSchema(route: RouteConfig, location: string, name: string): ZodType | undefined {
  const key = { query: "query", path: "params", header: "headers", cookie: "cookies" }[location] as keyof NonNullable<
    RouteConfig["request"]
  >;
  const declared = route.request?.[key] as Json;
  const objects: Json[] = Array.isArray(declared) ? declared : declared ? [declared] : [];
  for (const object of objects) {
    const shape = object.shape ?? {};
    const match = Object.keys(shape).find((field) => field.toLowerCase() === name.toLowerCase());
    if (match) return shape[match];
  }
  return undefined;
}

function check(example: unknown, schema: ZodType | undefined, where: string, problems: string[]): void {
  if (!schema || typeof (schema as Json).safeParse !== "function") return;
  const result = schema.safeParse(example);
  if (!result.success)
    problems.push(
      `${where}: example does not match the schema: ${result.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`,
    );
}

describe("OpenAPI document: examples on every operation", () => {
  it("has a complete, schema-valid example for every parameter, request body and documented response", async () => {
    const res = await t.call("GET", "/api/openapi.json");
    expect(res.status).toBe(200);
    const doc = res.body;
    const routes = new Map<string, RouteConfig>();
    for (const definition of t.app.openAPIRegistry.definitions) {
      if (definition.type !== "route") continue;
      const path = definition.route.path.replace(/:(\w+)/g, "{$1}");
      routes.set(`${definition.route.method} ${path}`, definition.route);
    }

    const problems: string[] = [];
    let operations = 0;
    for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
      for (const [method, operation] of Object.entries(item as Record<string, Json>)) {
        operations++;
        const name = `${method.toUpperCase()} ${path}`;
        const route = routes.get(`${method} ${path}`);
        if (!route) {
          problems.push(`${name}: in the document but not registered through app.openapi`);
          continue;
        }
        for (const parameter of operation.parameters ?? []) {
          const where = `${name} ${parameter.in} parameter ${parameter.name}`;
          const gaps: string[] = [];
          const example = parameter.example !== undefined ? parameter.example : exampleOf(parameter.schema, doc, where, gaps);
          if (example === NONE) problems.push(`${where}: no example`);
          else check(example, parameterSchema(route, parameter.in, parameter.name), where, problems);
        }
        for (const [type, media] of Object.entries((operation.requestBody?.content ?? {}) as Record<string, Json>)) {
          const where = `${name} request ${type}`;
          const gaps: string[] = [];
          const example = mediaExample(media, doc, "body", gaps);
          if (example === NONE) problems.push(`${where}: no example for ${gaps.join(", ")}`);
          else check(example, (route.request?.body?.content as Json)?.[type]?.schema, where, problems);
        }
        const documented = Object.entries(operation.responses as Record<string, Json>);
        if (!documented.some(([status]) => status.startsWith("2") || status.startsWith("3"))) problems.push(`${name}: no success response`);
        for (const [status, response] of documented) {
          for (const [type, media] of Object.entries((response.content ?? {}) as Record<string, Json>)) {
            const where = `${name} ${status} ${type}`;
            const gaps: string[] = [];
            const example = mediaExample(media, doc, "body", gaps);
            if (example === NONE) {
              problems.push(`${where}: no example for ${gaps.join(", ")}`);
              continue;
            }
            check(example, (route.responses[status] as Json)?.content?.[type]?.schema, where, problems);
            const code = (example as Json)?.error?.code as keyof typeof errorCodes | undefined;
            if (Number(status) >= 400 && code !== undefined && String(errorCodes[code]) !== status) {
              problems.push(`${where}: the example's code ${code} is a ${errorCodes[code]}`);
            }
          }
        }
      }
    }
    expect(operations).toBeGreaterThan(30);
    expect(problems).toEqual([]);
  });
});
