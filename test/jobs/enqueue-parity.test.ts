import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineJob } from "../../src/platform/jobs/define-job.ts";
import { producerOf } from "../../src/platform/jobs/producer-of.ts";
import { JOBS_QUEUE } from "../../src/platform/jobs/queues.ts";
import { sendOptionsFor } from "../../src/platform/jobs/send-options.ts";
import type { JobDefinition } from "../../src/platform/module.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { fastJobsEnv } from "./support/fast-env.ts";

/**
 * The API enqueues with pg-boss's own insert statement instead of pg-boss's `send`, and copies
 * its `sendDebounced`. What it writes, and what it refuses, must stay what `send` would.
 */
const keyed = z.object({ key: z.string() });
const job = (name: string, extra: Partial<JobDefinition<{ key: string }>> = {}) =>
  defineJob({ name: `parity.${name}`, queue: "default", payload: keyed, handler: async () => {}, ...extra });

const plain = job("plain");
const tuned = job("tuned", { queue: "critical", retry: { limit: 7, delaySeconds: 5, maxDelaySeconds: 60 }, timeoutSeconds: 90 });
// Settings pg-boss's send refuses (attorney.checkSendArgs): each one a configuration assert.
const refused = {
  "a timeout of 0 s (expireInSeconds must be at least every second)": job("zero-timeout", { timeoutSeconds: 0 }),
  "a timeout past 24 h (expiration cannot exceed 24 hours)": job("long-timeout", { timeoutSeconds: 2 * 86_400 }),
  "a delay cap without backoff (retryDelayMax can only be set if retryBackoff is true)": job("cap-no-backoff", {
    retry: { backoff: false, maxDelaySeconds: 30 },
  }),
};

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: fastJobsEnv, modules: [] });
});
afterAll(() => t?.close());

const columns = `priority, singleton_key, singleton_on, expire_seconds, deletion_seconds, retry_limit, retry_delay,
  retry_backoff, retry_delay_max, policy, dead_letter, heartbeat_seconds, state::text AS state,
  extract(epoch FROM start_after - created_on)::int AS starts_in, extract(epoch FROM keep_until - start_after)::int AS kept_for`;
const rowOf = async (id: string | null) =>
  id ? (await t.services.db.query(`SELECT ${columns} FROM pgboss.job WHERE id = $1`, [id]))[0] : null;
const rowsFor = (name: string) =>
  t.services.db.query("SELECT id FROM pgboss.job WHERE name = $1 AND data->>'job' = $2", [JOBS_QUEUE, name]);
const envelope = (definition: JobDefinition<{ key: string }>, key: string) => ({
  job: definition.name,
  queue: definition.queue,
  payload: { key },
});

describe("enqueue writes what pg-boss's send writes", () => {
  for (const [label, startAfter] of [
    ["now", undefined],
    ["in 30 s", 30],
    ["at a date", new Date(Date.now() + 3_600_000)],
  ] as const) {
    it(`the same row on its own, in a transaction and after commit (${label})`, async () => {
      const boss = await producerOf(t.services.jobs);
      for (const definition of [plain, tuned]) {
        const options = {
          ...sendOptionsFor(definition as JobDefinition<unknown>, t.config),
          ...(startAfter === undefined ? {} : { startAfter }),
        };
        const theirs = await rowOf(await boss.send(JOBS_QUEUE, envelope(definition, "boss"), options));
        const at = startAfter === undefined ? {} : { startAfter };
        const own = await rowOf(await t.services.jobs.enqueue(definition, { key: "own" }, at));
        const inTx = await rowOf(
          await t.services.db.transaction((tx) => t.services.jobs.enqueue(definition, { key: "tx" }, { tx, ...at })),
        );
        const afterCommit = await rowOf(
          await t.services.db.transaction((tx) => t.services.jobs.enqueue(definition, { key: "ac" }, { tx, wake: "after-commit", ...at })),
        );
        expect(own).toEqual(theirs);
        expect(inTx).toEqual(theirs);
        expect(afterCommit).toEqual(theirs);
      }
    });
  }

  it("debounced: this window's slot, then the next window's, then nothing, as sendDebounced", async () => {
    const boss = await producerOf(t.services.jobs);
    const options = sendOptionsFor(tuned as JobDefinition<unknown>, t.config);
    const theirs = [];
    const ours = [];
    for (let i = 0; i < 3; i++) {
      theirs.push(await rowOf(await boss.sendDebounced(JOBS_QUEUE, envelope(tuned, "boss"), options, 3600, `${tuned.name}:theirs`)));
      ours.push(await rowOf(await t.services.jobs.enqueueDebounced(tuned, { key: "ours" }, { key: "ours", seconds: 3600 })));
    }
    const comparable = (row: Record<string, unknown> | null | undefined) =>
      row && { ...row, singleton_key: "k", starts_in: Math.round((row.starts_in as number) / 10) };
    expect(ours.map(comparable)).toEqual(theirs.map(comparable));
    expect(ours[2]).toBeNull();
  });
});

describe("enqueue refuses what pg-boss's send refuses", () => {
  for (const [what, definition] of Object.entries(refused)) {
    it(`${what}: refused on every path, nothing stored`, async () => {
      const boss = await producerOf(t.services.jobs);
      // The reference: pg-boss's own send refuses it (building the options may already refuse it).
      const send = async () =>
        boss.send(JOBS_QUEUE, envelope(definition, "boss"), sendOptionsFor(definition as JobDefinition<unknown>, t.config));
      await expect(send()).rejects.toThrow();
      const jobs = t.services.jobs;
      const attempts = {
        "on its own": () => jobs.enqueue(definition, { key: "own" }),
        "in a transaction": () => t.services.db.transaction((tx) => jobs.enqueue(definition, { key: "tx" }, { tx })),
        "after commit": () => t.services.db.transaction((tx) => jobs.enqueue(definition, { key: "ac" }, { tx, wake: "after-commit" })),
        debounced: () => jobs.enqueueDebounced(definition, { key: "deb" }, { key: "deb", seconds: 60 }),
      };
      const outcomes: Record<string, string> = {};
      for (const [path, attempt] of Object.entries(attempts)) {
        outcomes[path] = await attempt().then(
          () => "stored",
          () => "refused",
        );
      }
      expect(outcomes).toEqual({ "on its own": "refused", "in a transaction": "refused", "after commit": "refused", debounced: "refused" });
      expect(await rowsFor(definition.name)).toEqual([]);
    });
  }
});
