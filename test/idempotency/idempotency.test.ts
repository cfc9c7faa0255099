import { z } from "@hono/zod-openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineRoute } from "../../src/platform/http/define-route.ts";
import { AppError } from "../../src/platform/http/errors.ts";
import { idempotency } from "../../src/platform/idempotency/idempotency.ts";
import { createKey } from "../../src/platform/keys/create-key.ts";
import { defineModule } from "../../src/platform/module.ts";
import { createOrg } from "../../src/platform/orgs/create-org.ts";
import { runCleanup } from "../support/run-cleanup.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { dbKind } from "../support/test-database.ts";

// A route that counts how often it really ran, can be held open, and answers 201 or a 400.
let executions = 0;
let gate: Promise<void> | null = null;
const countingModule = defineModule({
  name: "idemprobe",
  registerRoutes(app) {
    app.openapi(
      defineRoute({
        method: "post",
        path: "/api/probe/idem",
        operationId: "countIdempotent",
        security: [],
        middleware: [idempotency({ scope: (c) => c.req.header("x-caller") ?? "caller" })] as const,
        request: { body: { required: true, content: { "application/json": { schema: z.object({ n: z.number().int() }) } } } },
        responses: {
          201: { description: "Made", content: { "application/json": { schema: z.object({ n: z.number(), run: z.number() }) } } },
        },
      }),
      async (c) => {
        const { n } = c.req.valid("json");
        executions++;
        if (gate) await gate;
        if (n < 0) throw new AppError("bad_request", "negative");
        return c.json({ n, run: executions }, 201);
      },
    );
    app.openapi(
      defineRoute({
        method: "post",
        path: "/api/probe/idem-required",
        operationId: "countIdempotentRequired",
        security: [],
        middleware: [idempotency({ mode: "required", scope: () => "caller" })] as const,
        responses: { 200: { description: "Ok" } },
      }),
      (c) => c.json({ ok: true }, 200),
    );
  },
});

let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await createTestApp({ modules: [countingModule] });
  const org = await createOrg(t.services.db, { name: "Idem" });
  admin = (
    await createKey(t.services.db, {
      secret: t.config.BACKPLANE_SECRET,
      name: "admin",
      orgId: org.id,
      scopes: ["keys:manage"],
      createdBy: "test",
    })
  ).key;
});
afterAll(() => t.close());

const post = (key: string | null, body: unknown, headers: Record<string, string> = {}) =>
  t.call("POST", "/api/probe/idem", { body, headers: key === null ? headers : { "idempotency-key": key, ...headers } });

describe("Idempotency-Key", () => {
  it("replays the first answer byte for byte, with Idempotent-Replayed, and runs the handler once", async () => {
    const before = executions;
    const first = await post("k-replay", { n: 1 });
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const second = await post("k-replay", { n: 1 }, { "x-request-id": "second-request" });
    expect(second.status).toBe(201);
    expect(second.text).toBe(first.text);
    expect(second.headers.get("content-type")).toBe(first.headers.get("content-type"));
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(second.headers.get("x-request-id")).toBe("second-request");
    expect(executions - before).toBe(1);
  });

  it("422 idempotency_key_reused for the same key with another body", async () => {
    expect((await post("k-reuse", { n: 1 })).status).toBe(201);
    const res = await post("k-reuse", { n: 2 });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("idempotency_key_reused");
  });

  it("409 idempotency_in_flight while the first request runs, then the replay", async () => {
    let open!: () => void;
    gate = new Promise((resolve) => {
      open = resolve;
    });
    const first = post("k-flight", { n: 3 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const during = await post("k-flight", { n: 3 });
    expect(during.status).toBe(409);
    expect(during.body.error.code).toBe("idempotency_in_flight");
    expect(during.headers.get("retry-after")).toBe("1");
    gate = null;
    open();
    expect((await first).status).toBe(201);
    expect((await post("k-flight", { n: 3 })).headers.get("idempotent-replayed")).toBe("true");
  });

  it("keys are per caller: the same key from another caller runs again", async () => {
    const before = executions;
    await post("k-shared", { n: 4 }, { "x-caller": "a" });
    const other = await post("k-shared", { n: 4 }, { "x-caller": "b" });
    expect(other.headers.get("idempotent-replayed")).toBeNull();
    expect(executions - before).toBe(2);
  });

  it("a refused request (4xx) is not kept: the corrected retry with the same key runs", async () => {
    const bad = await post("k-fix", { n: -1 });
    expect(bad.status).toBe(400);
    const invalid = await post("k-fix2", { n: "x" });
    expect(invalid.status).toBe(400);
    expect((await post("k-fix", { n: 5 })).status).toBe(201);
    const fixed = await post("k-fix2", { n: 5 });
    expect(fixed.status).toBe(201);
    expect(fixed.headers.get("idempotent-replayed")).toBeNull();
  });

  it("400 for a malformed key; a quoted (structured-field) key is the same key unquoted", async () => {
    for (const bad of ["", " ", "x".repeat(256), "tab\there", "é"]) {
      const res = await post(bad, { n: 1 });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.error.code).toBe("idempotency_key_invalid");
    }
    expect((await post("x".repeat(255), { n: 1 })).status).toBe(201);
    await post("k-quoted", { n: 6 });
    expect((await post('"k-quoted"', { n: 6 })).headers.get("idempotent-replayed")).toBe("true");
  });

  it("400 idempotency_key_required when a route requires the key", async () => {
    const res = await t.call("POST", "/api/probe/idem-required", { body: {} });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("idempotency_key_required");
    expect((await t.call("POST", "/api/probe/idem-required", { body: {}, headers: { "idempotency-key": "r1" } })).status).toBe(200);
  });

  it("a claim whose lease lapsed (the process died) is taken over by a retry", async () => {
    let open!: () => void;
    gate = new Promise((resolve) => {
      open = resolve;
    });
    const stuck = post("k-lease", { n: 7 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await t.services.db.query("UPDATE backplane.idempotency_keys SET locked_until = now() - interval '1 second' WHERE key = 'k-lease'");
    gate = null;
    const before = executions;
    const retry = await post("k-lease", { n: 7 });
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBeNull();
    expect(executions - before).toBe(1);
    open();
    await stuck; // the lapsed claim cannot overwrite the answer the retry stored
    const replay = await post("k-lease", { n: 7 });
    expect(replay.text).toBe(retry.text);
  });

  it("stores the answer sealed (a key shown once is not readable in the table), and the cleanup cron frees expired keys", async () => {
    const created = await t.call("POST", "/api/v1/keys", {
      headers: { "x-api-key": admin, "idempotency-key": "create-1" },
      body: { name: "made once", scopes: ["keys:manage"] },
    });
    expect(created.status).toBe(201);
    const again = await t.call("POST", "/api/v1/keys", {
      headers: { "x-api-key": admin, "idempotency-key": "create-1" },
      body: { name: "made once", scopes: ["keys:manage"] },
    });
    expect(again.text).toBe(created.text);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    const [{ count }] = (await t.services.db.query<{ count: number }>(
      "SELECT count(*)::int AS count FROM backplane.api_keys WHERE name = 'made once'",
    )) as [{ count: number }];
    expect(count).toBe(1);
    const [row] = await t.services.db.query<{ response_body: Uint8Array }>(
      "SELECT response_body FROM backplane.idempotency_keys WHERE key = 'create-1'",
    );
    expect(Buffer.from(row?.response_body ?? []).toString("latin1")).not.toContain(created.body.key);

    await t.services.db.query("UPDATE backplane.idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = 'create-1'");
    expect(await runCleanup(t, "platform.idempotency-keys")).toEqual({ keys: 1 });
    expect(await t.services.db.query("SELECT 1 FROM backplane.idempotency_keys WHERE key = 'create-1'")).toEqual([]);
    const fresh = await t.call("POST", "/api/v1/keys", {
      headers: { "x-api-key": admin, "idempotency-key": "create-1" },
      body: { name: "made once", scopes: ["keys:manage"] },
    });
    expect(fresh.status).toBe(201);
    expect(fresh.body.id).not.toBe(created.body.id);
  });

  it("POST /api/v1/queue/dlq/replay honours Idempotency-Key", async () => {
    const operator = (
      await createKey(t.services.db, {
        secret: t.config.BACKPLANE_SECRET,
        name: "operator",
        orgId: null,
        scopes: ["queue:manage"],
        createdBy: "test",
      })
    ).key;
    const replay = (body: unknown) =>
      t.call("POST", "/api/v1/queue/dlq/replay", { headers: { "x-api-key": operator, "idempotency-key": "replay-1" }, body });
    const first = await replay({ queue: "default" });
    expect(first.status).toBe(200);
    const second = await replay({ queue: "default" });
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(second.text).toBe(first.text);
    expect((await replay({ queue: "bulk" })).status).toBe(422);
  });

  it(`50 concurrent requests with one key: one execution, the rest replay or 409, none 5xx (${dbKind === "postgres" ? 200 : 3} trials)`, async () => {
    const trials = dbKind === "postgres" ? 200 : 3;
    const started = performance.now();
    for (let trial = 0; trial < trials; trial++) {
      const before = executions;
      const key = `burst-${trial}`;
      const answers = await Promise.all(Array.from({ length: 50 }, () => post(key, { n: trial })));
      const statuses = answers.map((answer) => answer.status);
      expect(
        statuses.every((status) => status === 201 || status === 409),
        statuses.join(","),
      ).toBe(true);
      expect(executions - before).toBe(1);
      const fresh = answers.filter((answer) => answer.status === 201 && answer.headers.get("idempotent-replayed") === null);
      expect(fresh).toHaveLength(1);
      for (const answer of answers.filter((a) => a.status === 201)) expect(answer.text).toBe(fresh[0]?.text);
    }
    console.info(`idempotency burst: ${trials} trials of 50 in ${Math.round(performance.now() - started)} ms`);
  }, 180_000);
});
