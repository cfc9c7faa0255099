import type { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parseConfig } from "../../src/platform/config/config.ts";
import { openPostgres } from "../../src/platform/db/open-postgres.ts";
import { type OpenedJobQueue, openJobQueue } from "../../src/platform/jobs/open-job-queue.ts";
import { createLogger } from "../../src/platform/observability/logger.ts";
import { databaseUrl } from "../support/postgres-url.ts";
import { createEmptyPostgresDatabase } from "../support/test-database.ts";
import { defaultJob } from "./support/jobs-test-module.ts";

const pgbouncerUrl = inject("pgbouncerUrl");

/**
 * `enqueue` outside a transaction writes pg-boss's insert itself and wakes the workers after it.
 * Behind a transaction-pooling PgBouncer (Debian's 1.18 in .ci/run, run with
 * DATABASE_PREPARED_STATEMENTS=false as it must be) every enqueue stores exactly one job.
 */
describe.runIf(pgbouncerUrl !== "")("enqueue behind a transaction-pooling PgBouncer", () => {
  let database: { url: string; drop(): Promise<void> };
  let db: ReturnType<typeof openPostgres>;
  let jobs: OpenedJobQueue;

  beforeAll(async () => {
    database = await createEmptyPostgresDatabase(inject("template"));
    const url = databaseUrl(pgbouncerUrl, new URL(database.url).pathname.slice(1));
    db = openPostgres({ url, poolMax: 8, preparedStatements: false });
    const config = parseConfig({ NODE_ENV: "test", DATABASE_URL: url, DATABASE_PREPARED_STATEMENTS: "false" });
    const log = createLogger({ level: "silent", destination: { write: () => true } as unknown as Writable });
    jobs = await openJobQueue({ config, db, log });
  });
  afterAll(async () => {
    await jobs?.close();
    await db?.close();
    await database?.drop();
  });

  it("stores every job exactly once from concurrent producers", async () => {
    let next = 0;
    const ids: string[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < 200) {
          const key = `pooled-${next++}`;
          ids.push(await jobs.enqueue(defaultJob, { key }));
        }
      }),
    );
    const rows = await db.query<{ key: string }>(
      "SELECT data->'payload'->>'key' AS key FROM pgboss.job WHERE data->'payload'->>'key' LIKE 'pooled-%'",
    );
    expect(new Set(ids).size).toBe(200);
    expect(rows.length).toBe(200);
    expect(new Set(rows.map((row) => row.key)).size).toBe(200);
  });
});
