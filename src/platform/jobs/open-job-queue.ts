import type { PgBoss, SendOptions } from "pg-boss";
import type { ZodError } from "zod";
import type { Config } from "../config/config.ts";
import type { Database, Sql } from "../db/database.ts";
import { AppError } from "../http/errors.ts";
import type { DebounceOptions, EnqueueOptions, JobDefinition, JobQueue } from "../module.ts";
import type { Logger } from "../observability/logger.ts";
import { assertQueueInstalled, readQueueInstall } from "./queue-install.ts";
import { JOBS_QUEUE, type JobEnvelope } from "./queues.ts";
import { sendOptionsFor } from "./send-options.ts";
import { debounceStartAfter, jobRow, notifyingInsert, quietEnqueue, type Singleton } from "./wake-after-commit.ts";

/** The producer side of the queue, as `services.jobs`: enqueue, plus a pg-boss handle for platform code. */
export interface OpenedJobQueue extends JobQueue {
  /** pg-boss, started on first call and then shared; null when JOBS_ENABLED=false. */
  readonly producer: (() => Promise<PgBoss>) | null;
  close(): Promise<void>;
}

export function payloadError(job: string, error: ZodError, prefix = "payload"): AppError {
  const details = error.issues.map((issue) => ({ field: [prefix, ...issue.path.map(String)].join("."), message: issue.message }));
  const first = details[0];
  return new AppError("validation_failed", `Job ${job}: ${first ? `${first.field}: ${first.message}` : "invalid payload"}`, { details });
}

/** A queue that refuses work, for deployments with JOBS_ENABLED=false. */
export const disabledJobQueue: OpenedJobQueue = {
  enabled: false,
  producer: null,
  enqueue: async (job) => {
    throw new AppError("service_unavailable", `Cannot enqueue ${job.name}: jobs are disabled (JOBS_ENABLED=false)`);
  },
  enqueueDebounced: async (job) => {
    throw new AppError("service_unavailable", `Cannot enqueue ${job.name}: jobs are disabled (JOBS_ENABLED=false)`);
  },
  wake: () => {},
  insertStatement: () => null,
  close: async () => {},
};

export async function openJobQueue(options: { config: Config; db: Database; log: Logger }): Promise<OpenedJobQueue> {
  const { config, db } = options;
  if (!config.JOBS_ENABLED) return disabledJobQueue;
  // pg-boss itself is not loaded: the API enqueues with pg-boss's own statements (plans.js), and
  // checks here what pg-boss's start would (schema installed, at this version).
  const install = await readQueueInstall(db);
  assertQueueInstalled(install);
  const queue = install.queues.get(JOBS_QUEUE);
  // On PGlite there is one connection and no commit to contend for: pg-boss's own NOTIFY stays.
  if (!queue && db.kind === "postgres") throw new Error(`Queue ${JOBS_QUEUE} does not exist`);
  const quiet = queue && db.kind === "postgres" ? quietEnqueue(queue.table, db, options.log) : null;
  const notifying = queue ? notifyingInsert(queue.table, queue.notify) : null;

  /** pg-boss's `send`: its insert with the queue's NOTIFY, in `tx` or on its own; null when a singleton key holds the slot. */
  const send = async (sql: Sql, data: JobEnvelope, sendOptions: SendOptions, singleton?: Singleton): Promise<string | null> => {
    if (!notifying) throw new Error(`Queue ${JOBS_QUEUE} does not exist`);
    const [row] = await sql.query<{ id: string }>(notifying, [JSON.stringify([jobRow(data, sendOptions, singleton)])]);
    return row?.id ?? null;
  };

  const envelope = <Payload>(job: JobDefinition<Payload>, payload: Payload): JobEnvelope => {
    const parsed = job.payload.safeParse(payload);
    if (!parsed.success) throw payloadError(job.name, parsed.error);
    // The payload is stored as given, not as parsed: the worker parses it again before each run,
    // and a schema with transforms must see its input, not its output.
    return { job: job.name, queue: job.queue, payload: payload ?? null };
  };

  // pg-boss for platform code that needs its API (dead-letter replay, tests): one per queue,
  // created on first use, so a process that never replays never loads it.
  let producer: Promise<PgBoss> | null = null;
  const openProducer = async (): Promise<PgBoss> => {
    const { createBoss } = await import("./open-boss.ts");
    const boss = createBoss({ ...options, role: "producer" });
    await boss.start();
    return boss;
  };

  return {
    enabled: true,
    producer: () => {
      producer ??= openProducer();
      producer.catch(() => {
        producer = null;
      });
      return producer;
    },
    async enqueue<Payload>(job: JobDefinition<Payload>, payload: Payload, enqueueOptions: EnqueueOptions = {}) {
      const data = envelope(job, payload);
      const { startAfter, tx } = enqueueOptions;
      const sendOptions = { ...sendOptionsFor(job as JobDefinition<unknown>, config), ...(startAfter === undefined ? {} : { startAfter }) };
      if (tx && quiet && enqueueOptions.wake === "after-commit") return quiet.insert(tx, data, sendOptions);
      if (!tx && quiet) {
        // On its own the insert commits at once: wake after it, coalesced, rather than with a NOTIFY
        // inside it. Measured (bench/queue-cost.ts): one NOTIFY per job woke every idle fetch loop for
        // each job (2.4 fetches per job) and serialised the producers' commits; coalesced, 0.3.
        const id = await quiet.insert(db, data, sendOptions);
        quiet.wake();
        return id;
      }
      const id = await send(tx ?? db, data, sendOptions);
      if (!id) throw new Error(`Job ${job.name} was not enqueued`);
      return id;
    },
    async enqueueDebounced<Payload>(job: JobDefinition<Payload>, payload: Payload, debounce: DebounceOptions) {
      const data = envelope(job, payload);
      const sendOptions = sendOptionsFor(job as JobDefinition<unknown>, config);
      // Every job shares one pg-boss queue, so the singleton key carries the job's name.
      const key = `${job.name}:${debounce.key}`;
      const sql = debounce.tx ?? db;
      // pg-boss's sendDebounced: this window's slot, else the next window's (starting then), else nothing.
      return (
        (await send(sql, data, sendOptions, { key, seconds: debounce.seconds, offset: 0 })) ??
        (await send(
          sql,
          data,
          { ...sendOptions, startAfter: debounceStartAfter(debounce.seconds) },
          { key, seconds: debounce.seconds, offset: debounce.seconds },
        ))
      );
    },
    wake: () => quiet?.wake(),
    insertStatement: (job, payload) =>
      quiet ? quiet.statement(envelope(job, payload), sendOptionsFor(job as JobDefinition<unknown>, config)) : null,
    async close() {
      const boss = producer && (await producer.catch(() => null));
      producer = null;
      await boss?.stop({ graceful: false, close: false });
    },
  };
}
