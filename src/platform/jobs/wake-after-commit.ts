import type { SendOptions } from "pg-boss";
// pg-boss's own statements (its public API always adds a NOTIFY to a notify-enabled queue's insert).
import { insertJobs, notifyQueue } from "pg-boss/dist/plans.js";
import type { Database, Sql } from "../db/database.ts";
import { prepared } from "../db/statement-names.ts";
import type { Logger } from "../observability/logger.ts";
import { JOBS_QUEUE, type JobEnvelope, QUEUE_SCHEMA } from "./queues.ts";

/**
 * Enqueueing without a NOTIFY in the caller's transaction, and waking workers after it commits.
 *
 * A transaction that ran NOTIFY takes one cluster-wide lock in its commit and holds it through
 * the WAL flush, so concurrent enqueueing transactions commit one at a time and lose group commit:
 * measured on trigger intake, most of each request was spent waiting for that lock. A hot path
 * writes the job row with pg-boss's own insert statement minus the NOTIFY, then calls `wake()`.
 */
export interface QuietEnqueue {
  /** pg-boss's insert for one job (`RETURNING id`); `$1` is its one parameter. */
  statement(data: JobEnvelope, options: SendOptions): { sql: string; params: [string] };
  /** That statement, run in `tx`; returns the job id. */
  insert(tx: Sql, data: JobEnvelope, options: SendOptions): Promise<string>;
  /**
   * Wakes the workers after the caller's commit: one NOTIFY outside any transaction, coalesced
   * (while one is on its way, later calls share a single follow-up, so every call is followed by
   * a NOTIFY sent after it). Never throws: a lost wake costs at most the workers' poll interval.
   */
  wake(): void;
}

/**
 * `table` is the queue's partition (pgboss.queue.table_name), read once at start: looked up lazily,
 * the first requests would each wait for a pool connection inside their transaction.
 */
export function quietEnqueue(table: string, db: Database, log: Logger): QuietEnqueue {
  // Prepared: parsing and planning pg-boss's 23-column insert was a third of PostgreSQL's CPU per
  // job (bench/queue-cost.ts).
  const insertStatement = prepared(insertJobs(QUEUE_SCHEMA, { table, name: JOBS_QUEUE, returnId: true, notify: false }));
  const notify = notifyQueue(QUEUE_SCHEMA, JOBS_QUEUE);
  let sending: Promise<void> | null = null;
  let again = false;

  const wake = (): void => {
    if (sending) {
      again = true;
      return;
    }
    sending = db
      .query(notify)
      .then(
        () => {},
        (error: unknown) => log.warn({ err: error }, "job queue: waking the workers failed (they poll)"),
      )
      .finally(() => {
        sending = null;
        if (again) {
          again = false;
          wake();
        }
      });
  };

  const statement = (data: JobEnvelope, options: SendOptions) => ({
    sql: insertStatement,
    params: [JSON.stringify([jobRow(data, options)])] as [string],
  });
  return {
    statement,
    async insert(tx, data, options) {
      const { sql, params } = statement(data, options);
      const [row] = await tx.query<{ id: string }>(sql, params);
      if (!row) throw new Error(`Job ${data.job} was not enqueued`);
      return row.id;
    },
    wake,
  };
}

/**
 * pg-boss's insert of one job into `table` with its NOTIFY when the queue has `notify` on (the
 * statement its `send` runs), prepared; `$1` is `JSON.stringify([jobRow(…)])`, and it returns the
 * id, or no row when a singleton key already holds the slot.
 */
export const notifyingInsert = (table: string, notify: boolean): string =>
  prepared(insertJobs(QUEUE_SCHEMA, { table, name: JOBS_QUEUE, returnId: true, notify }));

/** A debounced job's slot (pg-boss's `sendDebounced`): one key per window of `seconds`; `offset` = seconds for the next window. */
export interface Singleton {
  key: string;
  seconds: number;
  offset: number;
}

/**
 * When a debounced job that lost its window's slot starts: the next window (pg-boss's
 * `getDebounceStartAfter`, with a producer's clock skew of 0), in seconds from now.
 */
export function debounceStartAfter(seconds: number, now = Date.now()): number {
  const interval = seconds * 1000;
  const slot = Math.floor(now / interval) * interval;
  const startAfter = seconds - Math.floor((now - slot) / 1000) || 1;
  return seconds > 1 ? startAfter + 1 : startAfter;
}

/** The row pg-boss's `send` builds from its options (its `#toJobPayload`, after `checkSendArgs`). */
export function jobRow(data: JobEnvelope, options: SendOptions, singleton?: Singleton) {
  const { startAfter } = options;
  return {
    id: null,
    name: JOBS_QUEUE,
    data,
    priority: options.priority ?? 0,
    startAfter: startAfter instanceof Date ? startAfter.toISOString() : Number(startAfter) > 0 ? String(startAfter) : undefined,
    singletonKey: singleton?.key ?? null,
    singletonSeconds: singleton?.seconds,
    singletonOffset: singleton?.offset ?? 0,
    groupId: null,
    groupTier: null,
    expireInSeconds: options.expireInSeconds,
    deleteAfterSeconds: options.deleteAfterSeconds,
    retentionSeconds: options.retentionSeconds,
    retryLimit: options.retryLimit,
    retryDelay: options.retryDelay,
    retryBackoff: options.retryBackoff,
    retryDelayMax: options.retryDelayMax,
    heartbeatSeconds: options.heartbeatSeconds,
    deadLetter: null,
  };
}
