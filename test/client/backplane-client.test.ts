import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BackplaneError, createBackplaneClient, retryAfterMs } from "../../src/client/index.ts";
import { type Listening, listen } from "../../src/platform/server/listen.ts";
import { type AuthFixture, createAuthFixture, expectNoSecretsInLogs } from "../support/auth-checks.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

/** A plain HTTP server that answers with `script[n]` on the n-th request (the last one repeats). */
async function scriptedServer(script: ((res: ServerResponse, req: IncomingMessage) => void)[]) {
  const seen: { method: string; headers: IncomingMessage["headers"]; at: number }[] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? "", headers: req.headers, at: Date.now() });
    (script[Math.min(seen.length - 1, script.length - 1)] as (typeof script)[number])(res, req);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  (res: ServerResponse) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };
const envelope = (code: string, requestId = "req-scripted") => ({ error: { code, message: code.replaceAll("_", " "), requestId } });
const ok = json(200, { ok: true });
// Backoff this short cannot explain a wait of a second: only Retry-After can.
const fast = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 5_000 };

describe("Backplane client against the real server", () => {
  let t: TestApp;
  let server: Listening;
  let fixture: AuthFixture;

  beforeAll(async () => {
    t = await createTestApp();
    fixture = await createAuthFixture(t, ["workflows:create", "workflows:read"]);
    server = await listen(t.app, { port: 0, host: "127.0.0.1" });
  });
  afterAll(async () => {
    await server?.close(1000);
    await t?.close();
  });

  /** The real fetch, except that the answers of the first `drop` requests are lost on the way back. */
  function losingFetch(drop: number) {
    const sent: { method: string; idempotencyKey: string | null; replayed: string | null }[] = [];
    const fetch = async (request: Request) => {
      const response = await globalThis.fetch(request);
      sent.push({
        method: request.method,
        idempotencyKey: request.headers.get("idempotency-key"),
        replayed: response.headers.get("idempotent-replayed"),
      });
      if (sent.length <= drop) {
        await response.body?.cancel();
        throw new TypeError("fetch failed: the connection was reset");
      }
      return response;
    };
    return { fetch, sent };
  }

  it("has one method per operation in the served document, named by its operationId", async () => {
    const doc = (await t.call("GET", "/api/openapi.json")).body;
    const operationIds = Object.values(doc.paths as Record<string, Record<string, { operationId: string }>>).flatMap((item) =>
      Object.values(item).map((operation) => operation.operationId),
    );
    const client = createBackplaneClient({ baseUrl: server.url });
    const methods = Object.keys(client).filter((name) => name !== "api");
    expect(methods.sort()).toEqual(operationIds.sort());
    expect(methods.every((name) => typeof (client as unknown as Record<string, unknown>)[name] === "function")).toBe(true);
  });

  it("creates, lists and reads with X-API-Key, typed from the document", async () => {
    const client = createBackplaneClient({ baseUrl: `${server.url}/`, apiKey: fixture.good });
    const created = await client.createWorkflow({
      body: { name: "Client typed", triggers: [{ name: "shop" }], steps: [{ type: "log", name: "note", level: "info", message: "hi" }] },
    });
    expect(created.id).toMatch(/^wf_/);
    expect(created.triggers[0]?.key).toEqual(expect.any(String));
    const one = await client.getWorkflow({ params: { path: { id: created.id } } });
    expect(one.name).toBe("Client typed");
    const page = await client.listWorkflows({ params: { query: { limit: 100 } } });
    expect(page.data.map((workflow) => workflow.id)).toContain(created.id);
    // @ts-expect-error the path parameter is required
    await expect(client.getWorkflow()).rejects.toThrow();
    expect((await client.getHealth()).ok).toBe(true);
    expectNoSecretsInLogs(t, fixture.secrets);
  });

  it("sends an Idempotency-Key on a route that takes one; a lost answer is retried with it and the server replays", async () => {
    const { fetch, sent } = losingFetch(1);
    const client = createBackplaneClient({ baseUrl: server.url, apiKey: fixture.good, fetch, retry: fast });
    const name = `Lost answer ${Date.now()}`;
    const created = await client.createWorkflow({
      body: { name, triggers: [{ name: "t" }], steps: [{ type: "log", name: "n", level: "info", message: "x" }] },
    });
    // Two attempts with the same generated key; the second answered from the first's stored response.
    expect(sent).toHaveLength(2);
    expect(sent[0]?.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent[1]?.idempotencyKey).toBe(sent[0]?.idempotencyKey);
    expect(sent[0]?.replayed).toBeNull();
    expect(sent[1]?.replayed).toBe("true");
    const reader = createBackplaneClient({ baseUrl: server.url, apiKey: fixture.good });
    const all = await reader.listWorkflows({ params: { query: { limit: 100 } } });
    expect(all.data.filter((workflow) => workflow.name === name).map((workflow) => workflow.id)).toEqual([created.id]);

    // A key the caller gives is sent as is, and a repeat of it answers the first request again.
    const again = losingFetch(0);
    const mine = createBackplaneClient({ baseUrl: server.url, apiKey: fixture.good, fetch: again.fetch });
    const body = {
      name: `${name} (mine)`,
      triggers: [{ name: "t" }],
      steps: [{ type: "log" as const, name: "n", level: "info" as const, message: "x" }],
    };
    const first = await mine.createWorkflow({ params: { header: { "idempotency-key": `mine-${name.length}-${Date.now()}` } }, body });
    const key = again.sent[0]?.idempotencyKey as string;
    const second = await mine.createWorkflow({ params: { header: { "idempotency-key": key } }, body });
    expect(second.id).toBe(first.id);
    expect(again.sent.map((request) => [request.idempotencyKey, request.replayed])).toEqual([
      [key, null],
      [key, "true"],
    ]);
  });

  it("never repeats a POST whose route takes no Idempotency-Key: the lost answer is the caller's error", async () => {
    const workflow = await createBackplaneClient({ baseUrl: server.url, apiKey: fixture.good }).createWorkflow({
      body: { name: "Rotate once", triggers: [{ name: "t" }], steps: [{ type: "log", name: "n", level: "info", message: "x" }] },
    });
    const { fetch, sent } = losingFetch(1);
    const client = createBackplaneClient({ baseUrl: server.url, apiKey: fixture.good, fetch, retry: fast });
    const triggerId = workflow.triggers[0]?.id as string;
    await expect(client.rotateTriggerKey({ params: { path: { id: workflow.id, triggerId } } })).rejects.toThrow(/connection was reset/);
    expect(sent).toEqual([{ method: "POST", idempotencyKey: null, replayed: null }]);
  });

  it("throws a BackplaneError with the envelope's code, message, details and the request id", async () => {
    const client = createBackplaneClient({ baseUrl: server.url, apiKey: fixture.good, headers: { "x-request-id": "client-test-404" } });
    const missing = await client.getWorkflow({ params: { path: { id: "wf_doesnotexist00000000" } } }).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(BackplaneError);
    expect(missing).toMatchObject({ status: 404, code: "not_found", requestId: "client-test-404" });
    expect((missing as BackplaneError).message).toMatch(/wf_doesnotexist/);
    expect(t.logs.some((line) => line.includes('"requestId":"client-test-404"'))).toBe(true);

    // A server-made id: the one the server logged.
    const invalid = (await createBackplaneClient({ baseUrl: server.url, apiKey: fixture.good })
      .listWorkflows({ params: { query: { limit: 10_000 } } })
      .catch((error: unknown) => error)) as BackplaneError;
    expect(invalid).toMatchObject({ status: 400, code: "validation_failed" });
    expect(invalid.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: expect.stringContaining("limit") })]));
    expect(t.logs.some((line) => line.includes(`"requestId":"${invalid.requestId}"`))).toBe(true);

    // Bad credentials: a 401, sent once (a 4xx other than 429 is never retried).
    const { fetch, sent } = losingFetch(0);
    const wrong = createBackplaneClient({ baseUrl: server.url, apiKey: fixture.revoked, fetch, retry: fast });
    await expect(wrong.listWorkflows()).rejects.toMatchObject({ status: 401, code: "unauthorized", requestId: expect.any(String) });
    const otherOrg = createBackplaneClient({ baseUrl: server.url, apiKey: fixture.otherOrg });
    const created = await createBackplaneClient({ baseUrl: server.url, apiKey: fixture.good }).createWorkflow({
      body: { name: "Not yours", triggers: [{ name: "t" }], steps: [{ type: "log", name: "n", level: "info", message: "x" }] },
    });
    await expect(otherOrg.getWorkflow({ params: { path: { id: created.id } } })).rejects.toMatchObject({ status: 404, code: "not_found" });
    expect(sent).toHaveLength(1);
    expectNoSecretsInLogs(t, fixture.secrets);
  });
});

describe("Backplane client retries", () => {
  it("waits out a 503's Retry-After in seconds, then succeeds", async () => {
    const server = await scriptedServer([json(503, envelope("database_unavailable"), { "retry-after": "1" }), ok]);
    try {
      const client = createBackplaneClient({ baseUrl: server.url, retry: fast });
      expect(await client.getHealth()).toEqual({ ok: true });
      expect(server.seen).toHaveLength(2);
      const waited = (server.seen[1]?.at ?? 0) - (server.seen[0]?.at ?? 0);
      expect(waited).toBeGreaterThanOrEqual(950);
      expect(waited).toBeLessThan(3_000);
    } finally {
      await server.close();
    }
  });

  it("waits out a 429's Retry-After as an HTTP date", async () => {
    const server = await scriptedServer([
      (res) => json(429, envelope("rate_limited"), { "retry-after": new Date(Date.now() + 2_000).toUTCString() })(res),
      ok,
    ]);
    try {
      const client = createBackplaneClient({ baseUrl: server.url, retry: fast });
      expect(await client.getLiveness()).toEqual({ ok: true });
      expect(server.seen).toHaveLength(2);
      // The date has whole seconds: 2 s ahead is 1-2 s ahead once truncated.
      const waited = (server.seen[1]?.at ?? 0) - (server.seen[0]?.at ?? 0);
      expect(waited).toBeGreaterThanOrEqual(900);
      expect(waited).toBeLessThan(3_500);
    } finally {
      await server.close();
    }
  });

  it("does not wait for a Retry-After beyond its limit: the answer is thrown at once", async () => {
    const server = await scriptedServer([json(503, envelope("service_unavailable"), { "retry-after": "120" })]);
    try {
      const client = createBackplaneClient({ baseUrl: server.url, retry: { ...fast, maxRetryAfterMs: 10_000 } });
      const error = (await client.getHealth().catch((e: unknown) => e)) as BackplaneError;
      expect(error).toMatchObject({ status: 503, code: "service_unavailable", requestId: "req-scripted" });
      expect(retryAfterMs(error.headers.get("retry-after"))).toBe(120_000);
      expect(server.seen).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it("gives up after the bounded attempts, backing off between them, and throws the last answer", async () => {
    const server = await scriptedServer([json(502, envelope("internal_error"))]);
    try {
      const client = createBackplaneClient({ baseUrl: server.url, retry: { attempts: 4, baseDelayMs: 40, maxDelayMs: 1_000 } });
      await expect(client.listRules()).rejects.toMatchObject({ status: 502, code: "internal_error" });
      expect(server.seen).toHaveLength(4);
      // Waits of 20-40, 40-80 and 80-160 ms (half fixed, half jitter).
      const gaps = server.seen.slice(1).map((hit, i) => hit.at - (server.seen[i]?.at ?? 0));
      expect(gaps[0]).toBeGreaterThanOrEqual(15);
      expect(gaps[2]).toBeGreaterThanOrEqual(75);
    } finally {
      await server.close();
    }
  });

  it("sends a POST without an Idempotency-Key once, even on a 503", async () => {
    const server = await scriptedServer([json(503, envelope("database_unavailable"), { "retry-after": "0" }), ok]);
    try {
      const client = createBackplaneClient({ baseUrl: server.url, retry: fast });
      await expect(client.publishRule({ body: { title: "t", summary: "s", rule: {} } as never })).rejects.toMatchObject({ status: 503 });
      expect(server.seen).toHaveLength(1);
      expect(server.seen[0]?.headers["idempotency-key"]).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it("retries a POST with a generated Idempotency-Key on a 503, with the same key each time", async () => {
    const server = await scriptedServer([json(503, envelope("database_unavailable"), { "retry-after": "0" }), json(201, { id: "wf_1" })]);
    try {
      const client = createBackplaneClient({ baseUrl: server.url, retry: fast });
      expect(await client.createWorkflow({ body: { name: "x", triggers: [{ name: "t" }], steps: [] } as never })).toEqual({ id: "wf_1" });
      expect(server.seen.map((hit) => hit.method)).toEqual(["POST", "POST"]);
      const keys = server.seen.map((hit) => hit.headers["idempotency-key"]);
      expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
      expect(keys[1]).toBe(keys[0]);
    } finally {
      await server.close();
    }
  });

  it("retries an idempotent PUT after a dropped connection, but never a 4xx", async () => {
    const server = await scriptedServer([
      (_res, req) => req.socket.destroy(),
      json(200, { data: null }),
      json(400, envelope("validation_failed")),
    ]);
    try {
      const client = createBackplaneClient({ baseUrl: server.url, retry: fast, accessToken: async () => "token-1" });
      await client.saveDraft({ body: { content: "draft" } as never });
      expect(server.seen.map((hit) => [hit.method, hit.headers.authorization])).toEqual([
        ["PUT", "Bearer token-1"],
        ["PUT", "Bearer token-1"],
      ]);
      await expect(client.saveDraft({ body: { content: "draft" } as never })).rejects.toMatchObject({
        status: 400,
        code: "validation_failed",
      });
      expect(server.seen).toHaveLength(3);
    } finally {
      await server.close();
    }
  });

  it("reads a non-envelope answer (a proxy's 502 page) as code unknown with the x-request-id header", async () => {
    const server = await scriptedServer([
      (res) => {
        res.writeHead(502, { "content-type": "text/html", "x-request-id": "proxy-req-7" });
        res.end("<h1>Bad gateway</h1>");
      },
    ]);
    try {
      const client = createBackplaneClient({ baseUrl: server.url, retry: { ...fast, attempts: 1 } });
      await expect(client.getHealth()).rejects.toMatchObject({ status: 502, code: "unknown", requestId: "proxy-req-7" });
    } finally {
      await server.close();
    }
  });

  it("reads Retry-After in both forms", () => {
    const now = Date.parse("2026-03-10T06:40:00Z");
    expect(retryAfterMs("3", now)).toBe(3_000);
    expect(retryAfterMs("Tue, 10 Mar 2026 06:40:05 GMT", now)).toBe(5_000);
    expect(retryAfterMs("Tue, 10 Mar 2026 06:39:00 GMT", now)).toBe(0);
    expect(retryAfterMs("soon", now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
  });

  it("refuses an API key in a browser", () => {
    const global = globalThis as { window?: unknown };
    global.window = {};
    try {
      expect(() => createBackplaneClient({ baseUrl: "https://b.example", apiKey: "k" })).toThrow(/server/);
      expect(() => createBackplaneClient({ baseUrl: "https://b.example" })).not.toThrow();
    } finally {
      delete global.window;
    }
  });
});
