import type { PGlite } from "@electric-sql/pglite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type EmbeddedSocket, startEmbeddedSocket } from "../../src/platform/db/embedded-socket.ts";
import { openPostgres } from "../../src/platform/db/open-postgres.ts";
import { prepared } from "../../src/platform/db/statement-names.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { dbKind } from "../support/test-database.ts";

// Found in review: open-database.ts connects the CLI to a running embedded server through the
// socket with openPostgres's default, prepared statements on. PGlite is ONE session shared by
// every socket client, and nothing deallocates a client's statements when it leaves: the next
// client (the next CLI command) Parses the same name again and gets 42P05. Across two processes
// the names differ in meaning too (bp_0 is whichever text each process ran first).
describe.runIf(dbKind === "pglite")("named statements through the embedded socket", () => {
  let t: TestApp;
  let socket: EmbeddedSocket;

  beforeEach(async () => {
    t = await createTestApp();
    const pglite = (t.database.db as unknown as { pglite: PGlite }).pglite;
    socket = await startEmbeddedSocket(pglite, { host: "127.0.0.1", port: 0 });
  });
  afterEach(async () => {
    await socket.stop();
    await t.close();
  });

  it("a second CLI connection runs the parameterized statement the first one ran", async () => {
    const url = `postgres://postgres@127.0.0.1:${socket.port}/postgres`;
    const text = prepared("SELECT $1::text AS echo /* review embedded socket */");
    // As open-database.ts opens it for a CLI command: poolMax 1, no prepared statements.
    const first = openPostgres({ url, poolMax: 1, applicationName: "backplane-cli", preparedStatements: false });
    expect(await first.query(text, ["one"])).toEqual([{ echo: "one" }]);
    await first.close();
    const second = openPostgres({ url, poolMax: 1, applicationName: "backplane-cli", preparedStatements: false });
    try {
      expect(await second.query(text, ["two"])).toEqual([{ echo: "two" }]);
    } finally {
      await second.close();
    }
  });
});
