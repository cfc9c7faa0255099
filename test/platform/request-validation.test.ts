import net from "node:net";
import { z } from "@hono/zod-openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableModules } from "../../src/modules/registry.ts";
import { defineRoute } from "../../src/platform/http/define-route.ts";
import { createKey } from "../../src/platform/keys/create-key.ts";
import { defineModule } from "../../src/platform/module.ts";
import { type Listening, listen } from "../../src/platform/server/listen.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

// A route whose schema leaves fields open, as modules may: the platform still refuses NUL.
const openModule = defineModule({
  name: "open",
  registerRoutes(app) {
    app.openapi(
      defineRoute({
        method: "post",
        path: "/api/open/echo",
        operationId: "echoOpen",
        security: [],
        request: {
          body: {
            required: true,
            content: { "application/json": { schema: z.object({ note: z.string().max(100), meta: z.record(z.string(), z.unknown()) }) } },
          },
        },
        responses: { 200: { description: "Echo", content: { "application/json": { schema: z.object({ ok: z.boolean() }) } } } },
      }),
      (c) => c.json({ ok: true }, 200),
    );
  },
});

describe("request validation limits", () => {
  let t: TestApp;
  let admin: string;
  const keyCount = async () => (await t.services.db.query<{ n: number }>("SELECT count(*)::int AS n FROM backplane.api_keys"))[0]?.n;

  beforeAll(async () => {
    t = await createTestApp({ modules: [...availableModules, openModule] });
    admin = (
      await createKey(t.services.db, {
        secret: t.config.BACKPLANE_SECRET,
        scopes: ["keys:manage", "audit:read"],
        createdBy: "test",
        name: "root",
        orgId: null,
      })
    ).key;
  });
  afterAll(() => t.close());

  const createKeyWith = (body: unknown) => t.call("POST", "/api/v1/keys", { headers: { "x-api-key": admin }, body });

  it("a NUL character in a body field is a 400 naming the field, and changes nothing", async () => {
    const before = await keyCount();
    const res = await createKeyWith({ name: "a\u0000b", orgId: null, scopes: ["keys:manage"] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.details.map((d: { field: string }) => d.field)).toContain("json.name");
    expect(await keyCount()).toBe(before);
    expect(t.logs.some((line) => line.includes('"level":50'))).toBe(false);
  });

  it("a NUL in a query or path parameter is a 400", async () => {
    for (const path of [
      "/api/v1/audit?actorId=a%00b",
      "/api/v1/audit?from=2026-01-01T00:00:00Z%00",
      "/api/v1/audit?cursor=a%00b",
      "/api/v1/keys/key_abc%00",
    ]) {
      const res = await t.call(path.startsWith("/api/v1/keys/") ? "DELETE" : "GET", path, { headers: { "x-api-key": admin } });
      expect(res.status, path).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
    }
  });

  it("a NUL in an open field (record value or key, nested) is a 400 too", async () => {
    for (const body of [
      { note: "a\u0000", meta: {} },
      { note: "ok", meta: { deep: [{ x: "y\u0000" }] } },
      { note: "ok", meta: { "k\u0000": 1 } },
    ]) {
      const res = await t.call("POST", "/api/open/echo", { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
    }
    expect((await t.call("POST", "/api/open/echo", { body: { note: "ok", meta: { a: ["b"] } } })).status).toBe(200);
  });

  it("100,000 bad array items answer a small 400, quickly", async () => {
    const before = await keyCount();
    const scopes = Array.from({ length: 100_000 }, () => 1);
    const started = performance.now();
    const res = await createKeyWith({ name: "flood", orgId: null, scopes });
    const elapsed = performance.now() - started;
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.text.length).toBeLessThan(8_192);
    expect(res.body.details.length).toBeLessThanOrEqual(20);
    expect(elapsed).toBeLessThan(2_000);
    expect(await keyCount()).toBe(before);
  });

  it("lists at most 20 issues and says how many there were", async () => {
    const scopes = Array.from({ length: 32 }, (_, i) => `BAD ${i}`);
    const res = await createKeyWith({ name: "many", orgId: null, scopes });
    expect(res.status).toBe(400);
    expect(res.body.details).toHaveLength(20);
    expect(res.body.error.message).toContain("32 issues in all");
  });

  it("every array in a request schema has a maximum (maxItems in the OpenAPI document)", async () => {
    const doc = (await t.call("GET", "/api/openapi.json")).body;
    const unbounded: string[] = [];
    const seen = new Set<unknown>();
    const visit = (schema: unknown, where: string): void => {
      if (!schema || typeof schema !== "object" || seen.has(schema)) return;
      seen.add(schema);
      const node = schema as Record<string, unknown>;
      if (typeof node.$ref === "string") {
        const name = node.$ref.split("/").at(-1) ?? "";
        visit(doc.components?.schemas?.[name], `${where}→${name}`);
        return;
      }
      if (node.type === "array" || (Array.isArray(node.type) && node.type.includes("array"))) {
        if (typeof node.maxItems !== "number") unbounded.push(where);
      }
      for (const [key, value] of Object.entries(node)) {
        if (Array.isArray(value)) {
          for (const [index, item] of value.entries()) visit(item, `${where}.${key}[${index}]`);
        } else if (value && typeof value === "object") visit(value, `${where}.${key}`);
      }
    };
    for (const [path, operations] of Object.entries(doc.paths as Record<string, Record<string, Record<string, unknown>>>)) {
      for (const [method, operation] of Object.entries(operations)) {
        seen.clear();
        visit(operation.parameters, `${method.toUpperCase()} ${path} parameters`);
        visit(operation.requestBody, `${method.toUpperCase()} ${path} body`);
      }
    }
    // A request array with no maximum lets one request make the server list and check without end.
    expect(unbounded).toEqual([]);
  });
});

describe("NUL in a header, through the Node server", () => {
  let t: TestApp;
  let server: Listening;
  beforeAll(async () => {
    t = await createTestApp();
    server = await listen(t.app, { port: 0, host: "127.0.0.1" });
  });
  afterAll(async () => {
    await server.close(1_000);
    await t.close();
  });

  it("is refused by the HTTP parser with a 400 before the app runs", async () => {
    const { port } = new URL(server.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), "127.0.0.1", () => {
        socket.write("GET /api/health HTTP/1.1\r\nHost: x\r\nx-api-key: bp\u0000live\r\nConnection: close\r\n\r\n");
      });
      let data = "";
      socket.on("data", (chunk) => {
        data += chunk;
      });
      socket.on("end", () => resolve(data));
      socket.on("error", reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
  });
});
