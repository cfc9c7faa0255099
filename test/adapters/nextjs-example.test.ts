import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { exampleDir, nextBin, prepareNextExample, repositoryDir } from "../../scripts/nextjs-example.ts";
import { createKey } from "../../src/platform/keys/create-key.ts";
import { createOrg } from "../../src/platform/orgs/create-org.ts";
import { captureTimes, insertAthlete, insertSessions } from "../biomech/biomech-data.ts";
import { createTestApp, TEST_SECRET, type TestApp } from "../support/test-app.ts";
import { dbKind } from "../support/test-database.ts";

// examples/nextjs built with `next build` and served by `next start`, on the test PostgreSQL: what
// a Vercel deployment runs, minus Vercel. Real PostgreSQL only: the adapter refuses the embedded one.
if (!inject("postgresUrl")) {
  console.warn("!! test/adapters/nextjs-example.test.ts SKIPPED: it needs TEST_DATABASE_URL (real PostgreSQL)");
}

const BODY_LIMIT = 8192;
const CRON_SECRET = "nextjs-example-cron-secret-0123";
const METRICS_TOKEN = "nextjs-example-metrics-token-0123";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.runIf(dbKind === "postgres")("examples/nextjs under next start (backplane/next)", () => {
  let t: TestApp;
  let next: ChildProcess | null = null;
  let base: string;
  let output = "";
  let orgA: string;
  let orgB: string;
  let keyA: string;

  const call = (route: string, init: RequestInit = {}) => fetch(`${base}${route}`, { ...init, signal: AbortSignal.timeout(15_000) });

  beforeAll(async () => {
    const { steps } = await prepareNextExample((line) => console.log(line));
    if (steps.length > 0) console.log(`examples/nextjs prepared: ${steps.join(", ")}`);

    t = await createTestApp();
    const { db } = t.services;
    orgA = (await createOrg(db, { name: "Next A" })).id;
    orgB = (await createOrg(db, { name: "Next B" })).id;
    const athlete = await insertAthlete(db, orgA, "Next");
    await insertSessions(db, orgA, athlete, captureTimes(30));
    keyA = (await createKey(db, { secret: TEST_SECRET, name: "next", orgId: orgA, scopes: ["biomech:read"], createdBy: "test" })).key;

    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    next = spawn(process.execPath, [nextBin, "start", "-p", String(port), "-H", "127.0.0.1"], {
      cwd: exampleDir,
      // Only what the deployment would set: the child sees nothing of this process's environment.
      env: {
        HOME: homedir(),
        PATH: process.env.PATH ?? "",
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
        DATABASE_URL: t.database.url as string,
        BACKPLANE_SECRET: TEST_SECRET,
        // Required in production; never contacted (no worker runs here).
        SMTP_URL: "smtp://127.0.0.1:9",
        BODY_LIMIT_BYTES: String(BODY_LIMIT),
        CRON_SECRET,
        METRICS_TOKEN,
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
    };
    next.stdout?.on("data", keep);
    next.stderr?.on("data", keep);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (next.exitCode !== null) throw new Error(`next start exited (${next.exitCode}):\n${output}`);
      if (Date.now() > deadline) throw new Error(`next start did not answer within 60 s:\n${output}`);
      const status = await call("/api/health").then(
        (res) => res.status,
        () => 0,
      );
      if (status === 200) break;
      await sleep(100);
    }
  }, 900_000);

  afterAll(async () => {
    if (next && next.exitCode === null) {
      const exited = new Promise((resolve) => next?.once("exit", resolve));
      next.kill("SIGTERM");
      const timer = setTimeout(() => next?.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await t?.close();
  });

  const expectEnvelope = async (res: Response, status: number, code: string) => {
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: { code: string; message: string; requestId: string } };
    expect(body.error.code).toBe(code);
    expect(typeof body.error.message).toBe("string");
    expect(res.headers.get("x-request-id")).toBeTruthy();
    expect(body.error.requestId).toBe(res.headers.get("x-request-id"));
    return body;
  };

  it("GET /api/health: 200 with the request id and the security headers Backplane's server would set, no framework banner", async () => {
    const res = await call("/api/health", { headers: { "x-request-id": "next-health-1" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(res.headers.get("x-request-id")).toBe("next-health-1");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("strict-transport-security")).toBe("max-age=15552000; includeSubDomains");
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(res.headers.get("x-powered-by")).toBeNull();
  });

  it("GET /api/v1/healthz reaches the database and the queue through the instance's pool", async () => {
    const res = await call("/api/v1/healthz");
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(JSON.stringify(body)).toContain("database");
  });

  it("an authenticated biomech read: the org's page with a cursor; no key is 401, another org's data is refused", async () => {
    const res = await call(`/api/biomech/sessions?orgId=${orgA}&limit=5`, { headers: { "x-api-key": keyA } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { id: string }[]; nextCursor: string };
    expect(body.data).toHaveLength(5);
    expect(typeof body.nextCursor).toBe("string");
    const second = await call(`/api/biomech/sessions?orgId=${orgA}&limit=5&cursor=${encodeURIComponent(body.nextCursor)}`, {
      headers: { "x-api-key": keyA },
    });
    const page2 = (await second.json()) as { data: { id: string }[] };
    expect(page2.data).toHaveLength(5);
    expect(page2.data[0]?.id).not.toBe(body.data[0]?.id);

    await expectEnvelope(await call(`/api/biomech/sessions?orgId=${orgA}`), 401, "unauthorized");
    const other = await call(`/api/biomech/sessions?orgId=${orgB}`, { headers: { "x-api-key": keyA } });
    expect([403, 404]).toContain(other.status);
    expect(JSON.stringify(await other.json())).not.toContain("ses_");
  });

  it("an unknown /api path is Backplane's 404 envelope with the request id (not Next's page)", async () => {
    const body = await expectEnvelope(await call("/api/no-such-route", { headers: { "x-request-id": "next-404" } }), 404, "not_found");
    expect(body.error.requestId).toBe("next-404");
  });

  it("a body over BODY_LIMIT_BYTES is 413, whether it announces its length or streams in chunks", async () => {
    const big = JSON.stringify({ email: `${"a".repeat(BODY_LIMIT)}@example.com` });
    const announced = await call("/api/auth/otp/request", { method: "POST", headers: { "content-type": "application/json" }, body: big });
    await expectEnvelope(announced, 413, "payload_too_large");
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 4; i++) controller.enqueue(new TextEncoder().encode("x".repeat(BODY_LIMIT / 2)));
        controller.close();
      },
    });
    const streamed = await call("/api/auth/otp/request", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: chunks,
      duplex: "half",
    } as RequestInit);
    await expectEnvelope(streamed, 413, "payload_too_large");
    // A streamed body under the limit is read whole.
    const parts = ['{"email":', '"streamed-', 'under-limit@example.com"}'];
    const small = await call("/api/auth/otp/request", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new ReadableStream<Uint8Array>({
        start(controller) {
          for (const part of parts) controller.enqueue(new TextEncoder().encode(part));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(small.status, await small.clone().text()).toBe(202);
  });

  it("a POST that enqueues work: the job is in the queue for a worker elsewhere (none runs in the function)", async () => {
    const email = "next-example@example.com";
    const res = await call("/api/auth/otp/request", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email }),
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const jobs = await t.services.db.query<{ state: string }>(
      "SELECT state FROM pgboss.job WHERE data->>'job' = 'platform.send-sign-in-code' AND data->'payload'->>'email' = $1",
      [email],
    );
    expect(jobs).toEqual([{ state: "created" }]);
    await sleep(1_500);
    const [still] = await t.services.db.query<{ state: string }>(
      "SELECT state FROM pgboss.job WHERE data->>'job' = 'platform.send-sign-in-code' AND data->'payload'->>'email' = $1",
      [email],
    );
    expect(still?.state).toBe("created");
  });

  it("the vercel.json crons are the seed's and answer through the function with CRON_SECRET (401 without)", async () => {
    const vercel = JSON.parse(readFileSync(path.join(exampleDir, "vercel.json"), "utf8"));
    expect(vercel.crons).toEqual([
      { path: "/api/privacy/cron/cleanup", schedule: "0 2 * * *" },
      { path: "/api/metrics/collect", schedule: "0 */6 * * *" },
    ]);
    await expectEnvelope(await call("/api/metrics/collect"), 401, "unauthorized");
    const res = await call("/api/metrics/collect", { headers: { authorization: `Bearer ${CRON_SECRET}` } });
    expect(res.status, await res.clone().text()).toBe(200);
  });

  it("the API docs assets are served (read from disk at run time)", async () => {
    const res = await call("/api/docs/assets/swagger-ui.css");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/css");
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
  });

  it("the paths Backplane serves outside /api reach it too: /admin, /webhooks/…, /metrics", async () => {
    const admin = await call("/admin", { redirect: "manual" });
    expect(admin.status).toBe(303);
    expect(admin.headers.get("location")).toBe("/admin/sign-in");
    expect(admin.headers.get("x-request-id")).toBeTruthy();
    // Strava's subscription handshake without its query: Backplane's validation, not Next's 404 page.
    await expectEnvelope(await call("/webhooks/strava"), 400, "validation_failed");
    await expectEnvelope(await call("/metrics"), 401, "unauthorized");
    const metrics = await call("/metrics", { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain("# TYPE backplane_queue_jobs gauge");
  });

  it("each route's file trace carries every migration and the docs assets (what Vercel deploys with the function)", () => {
    const migrations = readdirSync(path.join(repositoryDir, "migrations"), { recursive: true, encoding: "utf8" })
      .filter((file) => file.endsWith(".sql"))
      .map((file) => path.join(repositoryDir, "migrations", file));
    expect(migrations.length).toBeGreaterThan(10);
    for (const route of ["api/[[...route]]", "admin/[[...path]]", "webhooks/[...path]", "metrics"]) {
      const traceFile = path.join(exampleDir, `.next/server/app/${route}/route.js.nft.json`);
      const traced = new Set(
        (JSON.parse(readFileSync(traceFile, "utf8")).files as string[]).map((file) => path.resolve(path.dirname(traceFile), file)),
      );
      expect(migrations.filter((file) => !traced.has(file))).toEqual([]);
      expect([...traced].some((file) => file.endsWith(path.join("swagger-ui-dist", "swagger-ui-bundle.js")))).toBe(true);
    }
  });
});
