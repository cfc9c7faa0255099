import { setTimeout as sleep } from "node:timers/promises";
import type { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/platform/config/config.ts";
import { type EmbeddedSocket, startEmbeddedSocket } from "../../src/platform/db/embedded-socket.ts";
import { createKey } from "../../src/platform/keys/create-key.ts";
import { createOrg } from "../../src/platform/orgs/create-org.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { dbKind } from "../support/test-database.ts";

// The socket exposes the in-process PGlite; there is nothing to share on a real server.
describe.runIf(dbKind === "pglite")("the embedded database socket", () => {
  let t: TestApp;
  let socket: EmbeddedSocket;
  let client: pg.Client;
  let admin: string;
  let orgId: string;

  beforeEach(async () => {
    t = await createTestApp();
    const { db, config } = t.services;
    orgId = (await createOrg(db, { name: "Acme" })).id;
    admin = (
      await createKey(db, {
        secret: config.BACKPLANE_SECRET,
        name: "admin",
        orgId,
        scopes: ["keys:manage", "biomech:read"],
        createdBy: "test",
      })
    ).key;
    const pglite = (t.database.db as unknown as { pglite: PGlite }).pglite;
    socket = await startEmbeddedSocket(pglite, { host: "127.0.0.1", port: 0, idleInTransactionMs: 1_500 });
    client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${socket.port}/postgres` });
    client.on("error", () => {});
    await client.connect();
  });
  afterEach(async () => {
    await client.end().catch(() => {});
    await socket.stop();
    await t.close();
  });

  const keyWorks = async (key: string) =>
    (await t.call("GET", `/api/biomech/sessions?orgId=${orgId}&limit=1`, { headers: { "x-api-key": key } })).status === 200;

  it("a psql BEGIN … ROLLBACK does not roll back a key the server answered 201 for (the app waits for it)", async () => {
    await client.query("BEGIN");
    await client.query("INSERT INTO backplane.orgs (id, name, slug) VALUES ('org_psqlpsqlpsqlpsqlpsql', 'Psql', 'psql')");
    let answered = false;
    const creating = t
      .call("POST", "/api/v1/keys", { headers: { "x-api-key": admin }, body: { name: "made during psql", scopes: ["biomech:read"] } })
      .finally(() => {
        answered = true;
      });
    await sleep(300);
    // The server's statements wait while the outside transaction is open…
    expect(answered).toBe(false);
    await client.query("ROLLBACK");
    const created = await creating;
    expect(created.status).toBe(201);
    // …and run after it: the key the server confirmed is kept, the psql insert is gone.
    expect(await keyWorks(created.body.key)).toBe(true);
    const [row] = await t.services.db.query<{ keys: number; psql: number }>(
      "SELECT (SELECT count(*)::int FROM backplane.api_keys WHERE name = 'made during psql') AS keys, (SELECT count(*)::int FROM backplane.orgs WHERE slug = 'psql') AS psql",
    );
    expect(row).toEqual({ keys: 1, psql: 0 });
  });

  it("the app's own transaction neither ends nor joins an outside one", async () => {
    await client.query("BEGIN");
    await client.query("CREATE TABLE public.outside_only (n int)");
    const appWrite = t.services.db.transaction(async (tx) => {
      await tx.query("INSERT INTO backplane.orgs (id, name, slug) VALUES ('org_appappappappappappap', 'App', 'app')");
    });
    await sleep(200);
    // Still inside the outside transaction: the app's COMMIT did not end it.
    expect((await client.query("SELECT count(*)::int AS n FROM outside_only")).rows[0].n).toBe(0);
    await client.query("ROLLBACK");
    await appWrite;
    expect((await t.services.db.query("SELECT 1 FROM backplane.orgs WHERE slug = 'app'")).length).toBe(1);
    // The outside transaction was rolled back as a whole: the app's COMMIT did not commit its table.
    expect((await t.services.db.query<{ t: string | null }>("SELECT to_regclass('public.outside_only')::text AS t"))[0]?.t).toBeNull();
  });

  it("a client idle in a transaction is disconnected and rolled back, so the app is not held up", async () => {
    await client.query("BEGIN");
    await client.query("INSERT INTO backplane.orgs (id, name, slug) VALUES ('org_idleidleidleidleidle', 'Idle', 'idle')");
    const started = Date.now();
    const created = await t.call("POST", "/api/v1/keys", {
      headers: { "x-api-key": admin },
      body: { name: "after idle", scopes: ["biomech:read"] },
    });
    expect(created.status).toBe(201);
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(client.query("COMMIT")).rejects.toThrow();
    expect((await t.services.db.query("SELECT 1 FROM backplane.orgs WHERE slug = 'idle'")).length).toBe(0);
  });

  it("COPY … TO PROGRAM from a socket client is refused and does not wedge the server", async () => {
    await expect(client.query("COPY (SELECT 1) TO PROGRAM 'cat > /dev/null'")).rejects.toThrow(
      /not available on the embedded database socket/,
    );
    // The same through the extended protocol (a parameterised query is parsed, not sent as text).
    await expect(client.query({ text: "copy (select $1::int) to program 'cat'", values: [1] })).rejects.toThrow();
    expect((await client.query("SELECT 2 AS n")).rows).toEqual([{ n: 2 }]);
    expect((await t.call("GET", "/api/v1/healthz")).status).toBe(200);
    expect((await t.call("GET", "/api/v1/keys", { headers: { "x-api-key": admin } })).status).toBe(200);
  });
});

describe("BACKPLANE_EMBEDDED_SOCKET", () => {
  it("is on by default outside production and refused in production", () => {
    expect(parseConfig({}).BACKPLANE_EMBEDDED_SOCKET).toBe(true);
    expect(parseConfig({ BACKPLANE_EMBEDDED_SOCKET: "false" }).BACKPLANE_EMBEDDED_SOCKET).toBe(false);
    const production = {
      NODE_ENV: "production",
      BACKPLANE_SECRET: "a-production-secret-a-production-secret-01",
      SMTP_URL: "smtp://user:pass@127.0.0.1:587",
    };
    expect(parseConfig(production).BACKPLANE_EMBEDDED_SOCKET).toBe(false);
    expect(() => parseConfig({ ...production, BACKPLANE_EMBEDDED_SOCKET: "true" })).toThrow(/BACKPLANE_EMBEDDED_SOCKET: is not allowed/);
  });
});
