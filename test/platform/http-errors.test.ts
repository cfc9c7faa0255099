import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeModule } from "../support/probe-module.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

function expectEnvelope(body: { error: { code: string; message: string; requestId: string } }, code: string) {
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe("string");
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(body.error.requestId).toMatch(/^[A-Za-z0-9_-]+$/);
}

describe("HTTP error envelope", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ modules: [probeModule], env: { BODY_LIMIT_BYTES: "2048" } });
  });
  afterAll(() => t.close());

  it("answers valid input", async () => {
    const res = await t.call("POST", "/api/probe/echo/abc?limit=5", { body: { name: "x", count: 2 } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: "abc", limit: 5, name: "x", count: 2 });
  });

  it("400 with field details for an invalid body, query and path", async () => {
    const body = await t.call("POST", "/api/probe/echo/abc", { body: { name: "", count: 11 } });
    expect(body.status).toBe(400);
    expectEnvelope(body.body, "validation_failed");
    expect(body.body.details.map((d: { field: string }) => d.field).sort()).toEqual(["json.count", "json.name"]);

    const query = await t.call("POST", "/api/probe/echo/abc?limit=0", { body: { name: "a", count: 1 } });
    expect(query.status).toBe(400);
    expect(query.body.details[0].field).toBe("query.limit");

    const param = await t.call("POST", "/api/probe/echo/ABC1", { body: { name: "a", count: 1 } });
    expect(param.status).toBe(400);
    expect(param.body.details[0].field).toBe("param.id");
  });

  it("400 invalid_json for a malformed body", async () => {
    const res = await t.call("POST", "/api/probe/echo/abc", { body: '{"name": "x",', headers: { "content-type": "application/json" } });
    expect(res.status).toBe(400);
    expectEnvelope(res.body, "invalid_json");
  });

  it("404 for an unknown route", async () => {
    const res = await t.call("GET", "/api/nothing-here");
    expect(res.status).toBe(404);
    expectEnvelope(res.body, "not_found");
  });

  it("405 with Allow for a known path and wrong method", async () => {
    const res = await t.call("DELETE", "/api/health");
    expect(res.status).toBe(405);
    expectEnvelope(res.body, "method_not_allowed");
    expect(res.headers.get("allow")).toBe("GET, HEAD");
    const withParam = await t.call("GET", "/api/probe/echo/abc");
    expect(withParam.status).toBe(405);
    expect(withParam.headers.get("allow")).toBe("POST");
  });

  it("413 for a body over the limit", async () => {
    const res = await t.call("POST", "/api/probe/echo/abc", { body: { name: "x".repeat(5000), count: 1 } });
    expect(res.status).toBe(413);
    expectEnvelope(res.body, "payload_too_large");
  });

  it("415 for a media type the path does not accept; 200 where a module allows it", async () => {
    const res = await t.call("POST", "/api/probe/echo/abc", { body: "name=x", headers: { "content-type": "text/plain" } });
    expect(res.status).toBe(415);
    expectEnvelope(res.body, "unsupported_media_type");
    const form = await t.call("POST", "/api/probe/form", { body: "a=1", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(form.status).toBe(200);
    expect(form.body).toEqual({ form: { a: "1" } });
  });

  it("500 without internals in the body, logged with the request id", async () => {
    const res = await t.call("GET", "/api/probe/boom", { headers: { "x-request-id": "boom-req-1" } });
    expect(res.status).toBe(500);
    expectEnvelope(res.body, "internal_error");
    expect(res.body.error.requestId).toBe("boom-req-1");
    expect(res.text).not.toContain("hunter2");
    expect(res.text).not.toContain("internal.ts");
    const logged = t.logs.filter((line) => line.includes("boom-req-1"));
    expect(logged.some((line) => line.includes("hunter2") && line.includes('"level":50'))).toBe(true);
  });

  it("a value PostgreSQL rejects as data (SQLSTATE class 22) is a 400, not a 500", async () => {
    for (const query of ["value=2026-02-30", "value=%2B275760-09-13T00:00:00Z", "type=int&value=99999999999", "type=int&value=abc"]) {
      const res = await t.call("GET", `/api/probe/cast?${query}`, { headers: { "x-request-id": "cast-req-1" } });
      expect(res.status, query).toBe(400);
      expectEnvelope(res.body, "bad_request");
      expect(res.text).not.toMatch(/timestamptz|integer|syntax/i);
    }
    expect((await t.call("GET", "/api/probe/cast?value=2026-02-28T00:00:00Z")).status).toBe(200);
    // Logged as a warning (a validation gap to close), not as an error.
    const logged = t.logs.map((line) => JSON.parse(line)).filter((line) => line.requestId === "cast-req-1" && line.err);
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.every((line) => line.level === 40)).toBe(true);
  });

  it("keeps a well-formed x-request-id, replaces a malformed one, and logs one line per request", async () => {
    const kept = await t.call("GET", "/api/health", { headers: { "x-request-id": "abc_DEF-123" } });
    expect(kept.headers.get("x-request-id")).toBe("abc_DEF-123");
    const replaced = await t.call("GET", "/api/health", { headers: { "x-request-id": "bad id/with spaces" } });
    const generated = replaced.headers.get("x-request-id") ?? "";
    expect(generated).not.toBe("bad id/with spaces");
    expect(generated).toMatch(/^[A-Za-z0-9_-]{8,}$/);
    const tooLong = await t.call("GET", "/api/health", { headers: { "x-request-id": "a".repeat(256) } });
    expect(tooLong.headers.get("x-request-id")).not.toBe("a".repeat(256));

    const lines = t.logs.map((line) => JSON.parse(line)).filter((line) => line.requestId === "abc_DEF-123");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ method: "GET", path: "/api/health", status: 200 });
    expect(typeof lines[0].durationMs).toBe("number");
  });

  it("sets secure headers and no CORS headers when CORS_ORIGINS is unset", async () => {
    const res = await t.call("GET", "/api/health", { headers: { origin: "https://evil.example" } });
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("documents the error envelope on every route of the OpenAPI document", async () => {
    const res = await t.call("GET", "/api/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    expect(res.body.components.schemas.Error).toBeDefined();
    const operations = Object.values(res.body.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>).flatMap(
      (path) => Object.values(path),
    );
    expect(operations.length).toBeGreaterThanOrEqual(5);
    for (const operation of operations) {
      for (const status of ["400", "404", "405", "413", "415", "500", "503"]) expect(operation.responses[status]).toBeDefined();
    }
  });
});

describe("CORS allowlist", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { CORS_ORIGINS: "https://app.example, https://admin.example" } });
  });
  afterAll(() => t.close());

  it("allows listed origins only", async () => {
    const allowed = await t.call("GET", "/api/health", { headers: { origin: "https://app.example" } });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example");
    const other = await t.call("GET", "/api/health", { headers: { origin: "https://evil.example" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });
});
