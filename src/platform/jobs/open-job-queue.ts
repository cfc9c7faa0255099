import type { PgBoss } from "pg-boss";
import type { ZodError } from "zod";
import type { Config } from "../config/config.ts";
import type { Database } from "../db/database.ts";
import { AppError } from "../http/errors.ts";
import type { DebounceOptions, EnqueueOptions, JobDefinition, JobQueue } from "../module.ts";
import type { Logger } from "../observability/logger.ts";
import { bossTransaction } from "./boss-database.ts";
import { createBoss } from "./open-boss.ts";
import { JOBS_QUEUE, type JobEnvelope } from "./queues.ts";
import { sendOptionsFor } from "./send-options.ts";
import { quietEnqueue } from "./wake-after-commit.ts";

/** The producer side of the queue, as `services.jobs`: enqueue, plus the pg-boss handle for platform code. */
export interface OpenedJobQueue extends JobQueue {
  /** null when JOBS_ENABLED=false. */
  readonly boss: PgBoss | null;
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
  boss: null,
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
  const { config } = options;
  if (!config.JOBS_ENABLED) return disabledJobQueue;
  const boss = createBoss({ ...options, role: "producer" });
  await boss.start();
  // On PGlite there is one connection and no commit to contend for: pg-boss's own NOTIFY stays.
  const quiet = options.db.kind === "postgres" ? await quietEnqueue(boss, options.db, options.log) : null;

  const envelope = <Payload>(job: JobDefinition<Payload>, payload: Payload): JobEnvelope => {
    const parsed = job.payload.safeParse(payload);
    if (!parsed.success) throw payloadError(job.name, parsed.error);
    // The payload is stored as given, not as parsed: the worker parses it again before each run,
    // and a schema with transforms must see its input, not its output.
    return { job: job.name, queue: job.queue, payload: payload ?? null };
  };

  return {
    enabled: true,
    boss,
    async enqueue<Payload>(job: JobDefinition<Payload>, payload: Payload, enqueueOptions: EnqueueOptions = {}) {
      const data = envelope(job, payload);
      const { startAfter, tx } = enqueueOptions;
      const sendOptions = { ...sendOptionsFor(job as JobDefinition<unknown>, config), ...(startAfter === undefined ? {} : { startAfter }) };
      if (tx && quiet && enqueueOptions.wake === "after-commit") return quiet.insert(tx, data, sendOptions);
      if (!tx && quiet) {
        // On its own the insert commits at once: wake after it, coalesced, rather than with a NOTIFY
        // inside it. Measured (bench/queue-cost.ts): one NOTIFY per job woke every idle fetch loop for
        // each job (2.4 fetches per job) and serialised the producers' commits; coalesced, 0.3.
        const id = await quiet.insert(options.db, data, sendOptions);
        quiet.wake();
        return id;
      }
      const id = await boss.send(JOBS_QUEUE, data, { ...sendOptions, ...(tx ? { db: bossTransaction(tx) } : {}) });
      if (!id) throw new Error(`Job ${job.name} was not enqueued`);
      return id;
    },
    async enqueueDebounced<Payload>(job: JobDefinition<Payload>, payload: Payload, options: DebounceOptions) {
      const data = envelope(job, payload);
      // Every job shares one pg-boss queue, so the singleton key carries the job's name.
      return boss.sendDebounced(
        JOBS_QUEUE,
        data,
        { ...sendOptionsFor(job as JobDefinition<unknown>, config), ...(options.tx ? { db: bossTransaction(options.tx) } : {}) },
        options.seconds,
        `${job.name}:${options.key}`,
      );
    },
    wake: () => quiet?.wake(),
    insertStatement: (job, payload) =>
      quiet ? quiet.statement(envelope(job, payload), sendOptionsFor(job as JobDefinition<unknown>, config)) : null,
    close: () => boss.stop({ graceful: false, close: false }),
  };
}
