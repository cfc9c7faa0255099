import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BiomechApiError, biomechClientConfigFromEnv, createBiomechClient } from "../../src/client/index.ts";
import { createKey } from "../../src/platform/keys/create-key.ts";
import { createOrg } from "../../src/platform/orgs/create-org.ts";
import { type Listening, listen } from "../../src/platform/server/listen.ts";
import { expectNoSecretsInLogs, withBadChecksum } from "../support/auth-checks.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { captureTimes, insertAthlete, insertSessions } from "./biomech-data.ts";

/** A plain HTTP server that answers with `script[n]` on the n-th request (the last one repeats). */
async function scriptedServer(script: ((res: import("node:http").ServerResponse, req: import("node:http").IncomingMessage) => void)[]) {
  let hits = 0;
  const seen: import("node:http").IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req.headers);
    const step = script[Math.min(hits, script.length - 1)] as (typeof script)[number];
    hits++;
    step(res, req);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, hits: () => hits, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const page = { data: [], nextCursor: null };
const json = (status: number, body: unknown) => (res: import("node:http").ServerResponse) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};
const failure = (status: number) => json(status, { error: { code: "internal_error", message: "boom", requestId: "r1" } });
const fast = { retryDelayMs: 5, timeoutMs: 2_000 };

describe("Biomech client against the real server", () => {
  let t: TestApp;
  let server: Listening;
  let orgId: string;
  let key: string;
  let sessionId: string;

  beforeAll(async () => {
    t = await createTestApp();
    orgId = (await createOrg(t.services.db, { name: "Client Org" })).id;
    [sessionId] = (await insertSessions(
      t.services.db,
      orgId,
      await insertAthlete(t.services.db, orgId),
      captureTimes(230, { perTick: 2 }),
    )) as [string];
    key = (
      await createKey(t.services.db, {
        secret: t.config.BACKPLANE_SECRET,
        name: "octane",
        orgId,
        scopes: ["biomech:read"],
        createdBy: "test",
      })
    ).key;
    server = await listen(t.app, { port: 0, host: "127.0.0.1" });
  });
  afterAll(async () => {
    await server?.close(1000);
    await t?.close();
  });

  it("lists, pages through and fetches sessions with X-API-Key", async () => {
    const client = createBiomechClient({ apiKey: key, baseUrl: server.url });
    const first = await client.listSessions({ orgId, limit: 10 });
    expect(first.data).toHaveLength(10);
    expect(first.nextCursor).toEqual(expect.any(String));
    const all: string[] = [];
    for await (const session of client.allSessions({ orgId, pageSize: 100 })) all.push(session.id);
    expect(all).toHaveLength(230);
    expect(new Set(all).size).toBe(230);
    const one = await client.getSession({ orgId, sessionId });
    expect(one.id).toBe(sessionId);
  });

  it("a 4xx is thrown at once with its code and request id, never retried", async () => {
    const requestLines = () => t.logs.filter((line) => line.includes('"path":"/api/biomech/sessions"')).length;
    const before = requestLines();
    const client = createBiomechClient({ apiKey: withBadChecksum(key), baseUrl: server.url, ...fast });
    const error = await client.listSessions({ orgId }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BiomechApiError);
    expect(error).toMatchObject({ status: 401, code: "unauthorized" });
    expect((error as BiomechApiError).requestId).toEqual(expect.any(String));
    expect(requestLines() - before).toBe(1);
    const notFound = await createBiomechClient({ apiKey: key, baseUrl: server.url })
      .getSession({ orgId, sessionId: "ses_doesnotexist" })
      .catch((e: unknown) => e);
    expect(notFound).toMatchObject({ status: 404, code: "not_found" });
    expectNoSecretsInLogs(t, [key]);
  });
});

describe("Biomech client retries", () => {
  it("retries twice on 5xx, then succeeds (a server that fails twice, then answers)", async () => {
    const server = await scriptedServer([failure(500), failure(503), json(200, page)]);
    try {
      const client = createBiomechClient({ apiKey: "k".repeat(30), baseUrl: server.url, ...fast });
      expect(await client.listSessions({ orgId: "org_x" })).toEqual(page);
      expect(server.hits()).toBe(3);
      expect(server.seen.every((headers) => headers["x-api-key"] === "k".repeat(30))).toBe(true);
    } finally {
      await server.close();
    }
  });

  it("gives up after three attempts and throws the last 5xx", async () => {
    const server = await scriptedServer([failure(502)]);
    try {
      const client = createBiomechClient({ apiKey: "k".repeat(30), baseUrl: server.url, ...fast });
      await expect(client.listSessions({ orgId: "org_x" })).rejects.toMatchObject({ status: 502 });
      expect(server.hits()).toBe(3);
    } finally {
      await server.close();
    }
  });

  it("retries network errors (a dropped connection)", async () => {
    const server = await scriptedServer([(_res, req) => req.socket.destroy(), json(200, page)]);
    try {
      const client = createBiomechClient({ apiKey: "k".repeat(30), baseUrl: server.url, ...fast });
      expect(await client.listSessions({ orgId: "org_x" })).toEqual(page);
      expect(server.hits()).toBe(2);
    } finally {
      await server.close();
    }
  });

  it("never retries a 4xx other than 429", async () => {
    const server = await scriptedServer([json(400, { error: { code: "validation_failed", message: "limit: too big", requestId: "r" } })]);
    try {
      const client = createBiomechClient({ apiKey: "k".repeat(30), baseUrl: server.url, ...fast });
      await expect(client.listSessions({ orgId: "org_x" })).rejects.toMatchObject({ status: 400, code: "validation_failed" });
      expect(server.hits()).toBe(1);
    } finally {
      await server.close();
    }
  });

  it("retries a 429 (rate limited) like a 5xx", async () => {
    const server = await scriptedServer([
      json(429, { error: { code: "rate_limited", message: "slow down", requestId: "r" } }),
      json(200, page),
    ]);
    try {
      const client = createBiomechClient({ apiKey: "k".repeat(30), baseUrl: server.url, ...fast });
      expect(await client.listSessions({ orgId: "org_x" })).toEqual(page);
      expect(server.hits()).toBe(2);
    } finally {
      await server.close();
    }
  });

  it("times out a slow attempt and retries it", async () => {
    const server = await scriptedServer([(res) => setTimeout(() => json(200, page)(res), 1_000), json(200, page)]);
    try {
      const client = createBiomechClient({ apiKey: "k".repeat(30), baseUrl: server.url, retryDelayMs: 5, timeoutMs: 150 });
      const started = Date.now();
      expect(await client.listSessions({ orgId: "org_x" })).toEqual(page);
      expect(Date.now() - started).toBeLessThan(900);
      expect(server.hits()).toBe(2);
      // With retries off, the timeout is the answer.
      const slow = await scriptedServer([(res) => setTimeout(() => json(200, page)(res), 1_000)]);
      const once = createBiomechClient({ apiKey: "k".repeat(30), baseUrl: slow.url, retries: 0, timeoutMs: 150 });
      await expect(once.listSessions({ orgId: "org_x" })).rejects.toThrow(/timeout|aborted/i);
      await slow.close();
    } finally {
      await server.close();
    }
  });
});

describe("Biomech client configuration", () => {
  it("reads BIOMECH_API_KEY and BIOMECH_API_BASE_URL through its config function", () => {
    expect(biomechClientConfigFromEnv({ BIOMECH_API_KEY: "abc", BIOMECH_API_BASE_URL: "https://b.example" })).toEqual({
      apiKey: "abc",
      baseUrl: "https://b.example",
    });
    expect(() => biomechClientConfigFromEnv({ BIOMECH_API_BASE_URL: "https://b.example" })).toThrow(/BIOMECH_API_KEY/);
    expect(() => biomechClientConfigFromEnv({ BIOMECH_API_KEY: "abc" })).toThrow(/BIOMECH_API_BASE_URL/);
    expect(() => biomechClientConfigFromEnv({ BIOMECH_API_KEY: "abc", BIOMECH_API_BASE_URL: "not a url" })).toThrow(/not a URL/);
    // An option fills in for a missing variable.
    expect(biomechClientConfigFromEnv({ BIOMECH_API_BASE_URL: "https://b.example" }, { apiKey: "given" })).toEqual({
      apiKey: "given",
      baseUrl: "https://b.example",
    });
  });

  it("refuses to run in a browser", () => {
    const global = globalThis as { window?: unknown };
    global.window = {};
    try {
      expect(() => createBiomechClient({ apiKey: "k", baseUrl: "https://b.example" })).toThrow(/server-only/);
    } finally {
      delete global.window;
    }
  });
});
