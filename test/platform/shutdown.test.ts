import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgres } from "../../src/platform/db/open-postgres.ts";
import { listen } from "../../src/platform/server/listen.ts";
import { probeModule } from "../support/probe-module.ts";
import { runCli, startCli, waitFor } from "../support/spawn-cli.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { dbKind } from "../support/test-database.ts";

describe("graceful shutdown drains in-flight requests", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ modules: [probeModule] });
  });
  afterAll(() => t.close());

  it("finishes a request in flight, then refuses new connections", async () => {
    const server = await listen(t.app, { port: 0, host: "127.0.0.1" });
    const inFlight = fetch(`${server.url}/api/probe/slow?ms=600`);
    await new Promise((resolve) => setTimeout(resolve, 150)); // the request is now being handled
    const closing = server.close(5_000);
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ waited: 600 });
    expect(await closing).toEqual({ drained: true });
    await expect(fetch(`${server.url}/api/health`)).rejects.toThrow();
  });

  it("cuts a request that outlives the bound", async () => {
    const server = await listen(t.app, { port: 0, host: "127.0.0.1" });
    const inFlight = fetch(`${server.url}/api/probe/slow?ms=3000`).then(
      () => "answered",
      () => "cut",
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    const started = Date.now();
    expect(await server.close(200)).toEqual({ drained: false });
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(await inFlight).toBe("cut");
  });
});

// The embedded path boots a fresh PGlite (initdb, several seconds): run it once, in the pglite project.
describe.runIf(dbKind === "pglite")("the embedded server as a real process", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "bp-embedded-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("serves, lets the CLI and a Postgres client reach its database, and exits 0 on SIGTERM", async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const pgPort = port + 1;
    const env = { PORT: String(port), BACKPLANE_DATA_DIR: path.join(dir, "data"), BACKPLANE_EMBEDDED_PG_PORT: String(pgPort) };
    const server = startCli(["serve"], env);
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/api/health`)).ok, 60_000, "the server");
      expect(server.output().stdout).toContain(`http://127.0.0.1:${port}/api/docs`);

      // The Node server adds the security headers here (the app skips them); check they arrive,
      // on answers and on errors, next to the app's own request id.
      for (const [path, status] of [
        ["/api/health", 200],
        ["/api/nothing", 404],
      ] as const) {
        const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { "x-request-id": "proc-1" } });
        expect(response.status).toBe(status);
        expect(response.headers.get("x-content-type-options")).toBe("nosniff");
        expect(response.headers.get("x-frame-options")).toBe("SAMEORIGIN");
        expect(response.headers.get("strict-transport-security")).toContain("max-age=");
        expect(response.headers.get("x-request-id")).toBe("proc-1");
      }

      // Another process (the CLI) reaches the same database through the running server.
      const migrate = await runCli(["migrate", "--json"], env);
      expect(migrate.code, migrate.stderr).toBe(0);
      expect(JSON.parse(migrate.stdout).applied).toEqual([]);

      // So does any Postgres client (psql, node-postgres) on the printed URL.
      const client = openPostgres({ url: `postgres://postgres@127.0.0.1:${pgPort}/postgres`, poolMax: 1 });
      const rows = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM backplane.migrations");
      await client.close();
      expect(rows[0]?.n).toBeGreaterThan(0);

      server.kill("SIGTERM");
      const result = await server.done;
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('"msg":"stopped"');
      expect(existsSync(path.join(dir, "data.lock.json"))).toBe(false);
    } finally {
      if (server.exitCode === null) server.kill("SIGKILL");
    }
  }, 90_000);
});
