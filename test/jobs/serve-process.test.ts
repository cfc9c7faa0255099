import { afterEach, describe, expect, it } from "vitest";
import { producerOf } from "../../src/platform/jobs/producer-of.ts";
import { DEAD_LETTER_QUEUE, JOBS_QUEUE } from "../../src/platform/jobs/queues.ts";
import { createKey } from "../../src/platform/keys/create-key.ts";
import { type ApiProcess, freePort, spawnApi } from "../support/spawn-api.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { dbKind } from "../support/test-database.ts";

const CRON_SECRET = "cron-secret-for-the-serve-process-test";

/**
 * `backplane serve` as its own process (bin/backplane.js: the bundle when built, else src) loads
 * pg-boss only when platform code needs its API, and cron-parser with the first tick. Both lazy
 * loads must work there: a dead-letter replay and an HTTP cron tick on a process that has done
 * neither yet.
 */
describe.runIf(dbKind === "postgres")("serve as a process: replay and cron tick load what they need", () => {
  let t: TestApp | null = null;
  let api: ApiProcess | null = null;

  afterEach(async () => {
    api?.kill("SIGKILL");
    await api?.done;
    api = null;
    await t?.close();
    t = null;
  });

  it("replays a dead letter and runs a tick on a freshly started serve", async () => {
    t = await createTestApp({ modules: [] });
    const deadLetterId = await (await producerOf(t.services.jobs)).send(DEAD_LETTER_QUEUE, {
      job: "serve.gone",
      queue: "default",
      payload: { n: 1 },
    });
    const { key } = await createKey(t.services.db, {
      secret: t.config.BACKPLANE_SECRET,
      name: "ops",
      orgId: null,
      scopes: ["queue:read", "queue:manage"],
      createdBy: "test",
    });
    api = await spawnApi(t.database.url as string, await freePort(), { CRON_SECRET });

    const tick = await fetch(`${api.url}/api/metrics/collect`, { headers: { authorization: `Bearer ${CRON_SECRET}` } });
    expect(tick.status, await tick.clone().text()).toBe(200);
    expect(await tick.json()).toMatchObject({ ran: true, triggeredBy: "http" });

    const replay = await fetch(`${api.url}/api/v1/queue/dlq/replay`, {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json" },
      body: JSON.stringify({ id: deadLetterId }),
    });
    const body = (await replay.json()) as { replayed: number; jobs: { jobId: string }[] };
    expect(replay.status, JSON.stringify(body)).toBe(200);
    expect(body.replayed).toBe(1);
    const rows = await t.services.db.query("SELECT 1 FROM pgboss.job WHERE name = $1 AND id = $2", [JOBS_QUEUE, body.jobs[0]?.jobId]);
    expect(rows).toHaveLength(1);

    // A second replay on the same process reuses the started pg-boss.
    const again = await fetch(`${api.url}/api/v1/queue/dlq/replay`, {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json" },
      body: JSON.stringify({ queue: "default" }),
    });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { replayed: number }).replayed).toBe(0);

    // SIGTERM: the started pg-boss stops with the process, which exits on its own.
    api.kill("SIGTERM");
    const exit = await api.done;
    expect(exit.code, exit.stderr).toBe(0);
    api = null;
  });
});
