import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "../../src/platform/http/app-env.ts";
import { createApp } from "../../src/platform/http/create-app.ts";
import { securityHeaderList } from "../../src/platform/http/security-headers.ts";
import { type Listening, listen } from "../../src/platform/server/listen.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

// A handler that returns no Response is a bug. Through Hono's middleware chain it is a 500 with the
// error logged ("Context is not finalized"); a lone matched handler returning nothing is a 404
// instead. Under listen() the router fuses the request context into the route's handler, so a
// GET route without middleware becomes such a lone handler: the answer must not change with it
// (nor with CORS_ORIGINS, which puts a middleware back in front).
const buggy = {
  name: "buggy-routes",
  registerRoutes(app: AppRouter) {
    app.get("/api/buggy/sync", (() => undefined) as never);
    app.get("/api/buggy/async", (async () => undefined) as never);
  },
};

describe("a handler that returns no response", () => {
  let t: TestApp;
  let server: Listening;

  beforeAll(async () => {
    t = await createTestApp({ modules: [buggy as never] });
    const app = createApp({ services: t.services, modules: [buggy as never], servedByListen: true });
    server = await listen(app, { port: 0, host: "127.0.0.1", headers: securityHeaderList });
  });
  afterAll(async () => {
    await server?.close(1_000);
    await t?.close();
  });

  for (const path of ["/api/buggy/sync", "/api/buggy/async"]) {
    it(`${path}: app.request() answers 500`, async () => {
      const response = await t.call("GET", path, { headers: { "x-request-id": `app${path.replaceAll("/", "-")}` } });
      expect(response.status).toBe(500);
      expect(response.body.error.code).toBe("internal_error");
    });

    it(`${path}: listen() answers the same 500 (not a 404/405 for a route that exists), logs the fault and one line with 500`, async () => {
      const rid = `listen${path.replaceAll("/", "-")}`;
      const response = await fetch(`${server.url}${path}`, { headers: { "x-request-id": rid } });
      const body = (await response.json()) as { error: { code: string } };
      expect(response.status).toBe(500);
      expect(body.error.code).toBe("internal_error");
      expect(response.headers.get("x-request-id")).toBe(rid);
      const lines = t.logs.map((line) => JSON.parse(line)).filter((line) => line.requestId === rid);
      expect(lines.some((line) => line.msg === "unhandled error")).toBe(true);
      const requestLines = lines.filter((line) => line.status !== undefined);
      expect(requestLines).toHaveLength(1);
      expect(requestLines[0]).toMatchObject({ method: "GET", path, status: 500 });
    });
  }
});
