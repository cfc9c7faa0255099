import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/platform/http/create-app.ts";
import { securityHeaderList } from "../../src/platform/http/security-headers.ts";
import { type Listening, listen } from "../../src/platform/server/listen.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

// On the Node server the request id goes straight onto Node's response and the security headers
// come from `listen()`, not from Hono (cheaper per request). Every kind of answer must still carry
// both: a JSON 200, a thrown error, a 404, a 405, a validation 400 and a streamed asset.
describe("headers through the real Node server", () => {
  let t: TestApp;
  let server: Listening;

  beforeAll(async () => {
    t = await createTestApp();
    // A module only for its secret path prefix: the log line must redact it on this path too.
    const app = createApp({
      services: t.services,
      modules: [{ name: "secret-paths", secretPathPrefixes: ["/api/secret/"] } as never],
      servedByListen: true,
    });
    server = await listen(app, { port: 0, host: "127.0.0.1", headers: securityHeaderList });
  });
  afterAll(async () => {
    await server?.close(1_000);
    await t?.close();
  });

  const cases: [string, string, RequestInit, number][] = [
    ["JSON 200", "/api/health", {}, 200],
    ["401 from a thrown error", "/api/v1/keys", {}, 401],
    ["404", "/api/nothing-here", {}, 404],
    ["405", "/api/health", { method: "DELETE" }, 405],
    ["415", "/api/v1/keys", { method: "POST", body: "x", headers: { "content-type": "text/plain" } }, 415],
    ["docs asset (a file body)", "/api/docs", {}, 200],
  ];

  for (const [name, path, init, status] of cases) {
    it(`${name}: the caller's request id and every security header`, async () => {
      const response = await fetch(`${server.url}${path}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), "x-request-id": `rid-${status}` },
      });
      await response.arrayBuffer();
      expect(response.status).toBe(status);
      expect(response.headers.get("x-request-id")).toBe(`rid-${status}`);
      for (const [header, value] of securityHeaderList) expect(response.headers.get(header)).toBe(value);
    });
  }

  it("a generated request id when the caller's is malformed, and a fresh one per request", async () => {
    const first = await fetch(`${server.url}/api/health`, { headers: { "x-request-id": "bad id with spaces" } });
    const second = await fetch(`${server.url}/api/health`);
    const ids = [first.headers.get("x-request-id"), second.headers.get("x-request-id")];
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[0]).not.toBe(ids[1]);
    // One value, not two joined ones (Hono's and Node's copies merged into "a, b").
    expect(ids[0]).not.toContain(",");
  });

  // Here the log line is written by listen()'s response when the head goes out, not by the
  // middleware after the handler (which keeps a GET synchronous): the same line, every kind of answer.
  it("one log line per request with the request id, method, redacted path, final status and duration", async () => {
    const answers: [string, RequestInit, number][] = [
      ["/api/health", {}, 200],
      ["/api/v1/keys", {}, 401],
      ["/api/health", { method: "DELETE" }, 405],
      ["/api/secret/trg_do-not-log", {}, 404],
    ];
    for (const [index, [path, init, status]] of answers.entries()) {
      const response = await fetch(`${server.url}${path}`, { ...init, headers: { "x-request-id": `line-${index}` } });
      await response.arrayBuffer();
      expect(response.status).toBe(status);
      const lines = t.logs
        .map((line) => JSON.parse(line))
        .filter((line) => line.requestId === `line-${index}` && line.status !== undefined);
      expect(lines, path).toHaveLength(1);
      const redacted = path.startsWith("/api/secret/") ? "/api/secret/[redacted]" : path;
      expect(lines[0]).toMatchObject({ method: init.method ?? "GET", path: redacted, status });
      expect(typeof lines[0].durationMs).toBe("number");
    }
    expect(t.logs.join("")).not.toContain("trg_do-not-log");
  });
});
