import type { PgBoss } from "pg-boss";
import { type AuditSource, recordAuditEvent } from "../audit/record-audit-event.ts";
import type { Config } from "../config/config.ts";
import type { Database } from "../db/database.ts";
import { AppError } from "../http/errors.ts";
import { type CursorCodec, cursorCodec } from "../http/keyset-cursor.ts";
import type { QueueName } from "../module.ts";
import { asService } from "../tenancy/with-tenant.ts";
import { bossTransaction } from "./boss-database.ts";
import type { JobRegistry } from "./job-registry.ts";
import { countDeadLetters, type DeadLetterRow, listDeadLetters as listSql, takeDeadLetters } from "./queue-sql.ts";
import { DEAD_LETTER_QUEUE, isQueueName, JOBS_QUEUE, type JobEnvelope, queuePriority } from "./queues.ts";
import { DEFAULT_RETRY_LIMIT, sendOptionsFor } from "./send-options.ts";

export interface DeadLetter {
  /** Id in the dead-letter queue: what replay takes. */
  id: string;
  /** Id the job had when it failed. */
  jobId: string | null;
  job: string | null;
  queue: QueueName | null;
  payload: unknown;
  /** Runs it had (first attempt + retries). */
  attempts: number;
  lastError: unknown;
  enqueuedAt: string | null;
  deadLetteredAt: string;
}

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

function toDeadLetter(row: DeadLetterRow): DeadLetter {
  const data = row.data ?? {};
  return {
    id: row.id,
    jobId: row.source_id,
    job: typeof data.job === "string" ? data.job : null,
    queue: isQueueName(data.queue) ? data.queue : null,
    payload: data.payload ?? null,
    attempts: (row.source_retry_count ?? 0) + 1,
    lastError: row.source_output ?? null,
    enqueuedAt: iso(row.source_created_on),
    deadLetteredAt: iso(row.created_on) as string,
  };
}

/** Where a page ended: the last row's dead-letter time to the microsecond, and its id. */
export interface DeadLetterPosition {
  /** `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, microseconds). */
  at: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EXACT_TIME = /^(\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Strict: only what PostgreSQL reads back as the same instant (a real calendar date, years 1970–9999) and a real UUID. */
function isPosition(value: unknown): value is DeadLetterPosition {
  const position = value as Partial<DeadLetterPosition> | null;
  if (typeof position !== "object" || position === null) return false;
  if (typeof position.id !== "string" || !UUID.test(position.id)) return false;
  if (typeof position.at !== "string") return false;
  const year = EXACT_TIME.exec(position.at)?.[1];
  if (!year || Number(year) < 1970) return false;
  // Round-tripping the millisecond part through Date catches 2026-02-30 and 25:00.
  const millis = `${position.at.slice(0, 23)}Z`;
  const parsed = new Date(millis);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString() === millis;
}

/** Signed cursors for the dead-letter listing, bound to its queue filter (see keyset-cursor.ts). */
export function deadLetterCursor(secret: string): CursorCodec<DeadLetterPosition> {
  let codec = codecs.get(secret);
  if (!codec) {
    codec = cursorCodec(secret, "jobs.dead-letters", isPosition);
    codecs.set(secret, codec);
  }
  return codec;
}
const codecs = new Map<string, CursorCodec<DeadLetterPosition>>();
const cursorBinding = (queue: QueueName | undefined) => JSON.stringify([queue ?? null]);

export interface DeadLetterPage {
  items: DeadLetter[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
  /** Dead letters matching the filter, across all pages. */
  total: number;
}

export interface ListDeadLettersOptions {
  /** BACKPLANE_SECRET: signs and checks the cursor. */
  secret: string;
  queue?: QueueName;
  cursor?: string;
  limit?: number;
}

/**
 * Newest first, keyset-paged on (dead-letter time, id) at full precision. A cursor from another
 * filter, an edited one, or one that is not a position this endpoint could have issued is a 400.
 */
export async function listDeadLetters(db: Database, options: ListDeadLettersOptions): Promise<DeadLetterPage> {
  const page = await listDeadLetterPage(db, options);
  const [{ count }] = (await db.query<{ count: number }>(countDeadLetters, [DEAD_LETTER_QUEUE, options.queue ?? null])) as [
    { count: number },
  ];
  return { ...page, total: count };
}

/** One page without the total: a count of a large dead-letter queue costs more than the page (the admin console reads the per-queue counts from the metrics). */
export async function listDeadLetterPage(db: Database, options: ListDeadLettersOptions): Promise<Omit<DeadLetterPage, "total">> {
  const limit = options.limit ?? 50;
  const cursors = deadLetterCursor(options.secret);
  const binding = cursorBinding(options.queue);
  const after = options.cursor === undefined ? null : cursors.decode(options.cursor, binding);
  const rows = await db.query<DeadLetterRow & { created_on_exact: string }>(listSql, [
    DEAD_LETTER_QUEUE,
    options.queue ?? null,
    after?.at ?? null,
    after?.id ?? null,
    limit + 1,
  ]);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toDeadLetter),
    nextCursor: rows.length > limit && last ? cursors.encode({ at: last.created_on_exact, id: last.id }, binding) : null,
  };
}

export interface ReplayTarget {
  id?: string;
  queue?: QueueName;
}

export interface ReplayResult {
  /** Dead letters moved back to their queue. 0 on a second replay of the same jobs. */
  replayed: number;
  /** New job id for each replayed dead letter. */
  jobs: { deadLetterId: string; jobId: string; job: string | null }[];
}

export interface ReplayDeps {
  db: Database;
  boss: PgBoss;
  registry: JobRegistry;
  config: Config;
  /** Who replays: each batch writes its `dlq.replayed` audit row in the batch's transaction. */
  source: AuditSource;
}

const REPLAY_BATCH = 100;

/**
 * Sends dead letters back to their queue as fresh jobs (attempt 1) with their job's current
 * retry policy, taking them out of the dead-letter queue in the same transaction. Idempotent:
 * a dead letter is replayed at most once, so a second call moves nothing. Batches of 100, each
 * its own transaction, so replaying a large queue makes steady progress.
 */
export async function replayDeadLetters(
  deps: ReplayDeps,
  target: ReplayTarget,
  onProgress?: (progress: { replayed: number; total: number }) => void,
): Promise<ReplayResult> {
  if ((target.id === undefined) === (target.queue === undefined))
    throw new AppError("bad_request", "Replay takes exactly one of id or queue");
  if (target.id !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(target.id)) {
    throw new AppError("validation_failed", "id: must be a dead letter id (a UUID)", {
      details: [{ field: "id", message: "must be a UUID" }],
    });
  }
  const ids = target.id ? [target.id] : null;
  const [{ count: total }] = (await deps.db.query<{ count: number }>(countDeadLetters, [DEAD_LETTER_QUEUE, target.queue ?? null])) as [
    { count: number },
  ];
  const result: ReplayResult = { replayed: 0, jobs: [] };
  // Bounded: each batch removes what it replays, and no more than were there at the start are taken.
  for (let round = 0; round <= Math.ceil(total / REPLAY_BATCH); round++) {
    const moved = await asService(deps.db, "dlq replay", async (tx) => {
      const rows = await tx.query<DeadLetterRow>(takeDeadLetters, [DEAD_LETTER_QUEUE, ids, target.queue ?? null, REPLAY_BATCH]);
      const out: ReplayResult["jobs"] = [];
      for (const row of rows) {
        const data = (row.data ?? {}) as Partial<JobEnvelope>;
        const definition = typeof data.job === "string" ? deps.registry.get(data.job) : undefined;
        const queue = isQueueName(data.queue) ? data.queue : "default";
        // A job no module here defines still goes back, with the default policy; a worker that knows it will run it.
        const options = definition
          ? sendOptionsFor(definition, deps.config)
          : {
              priority: queuePriority[queue],
              retryLimit: DEFAULT_RETRY_LIMIT,
              retryBackoff: true,
              retryDelay: deps.config.JOBS_RETRY_DELAY_SECONDS,
            };
        const jobId = await deps.boss.send(JOBS_QUEUE, row.data ?? {}, { ...options, db: bossTransaction(tx) });
        if (!jobId) throw new Error(`Dead letter ${row.id} could not be re-sent`);
        out.push({ deadLetterId: row.id, jobId, job: data.job ?? null });
      }
      if (out.length > 0) {
        await recordAuditEvent(tx, {
          ...deps.source,
          orgId: null,
          action: "dlq.replayed",
          target: target.id ? { type: "dead_letter", id: target.id } : { type: "queue", id: target.queue as string },
          metadata: { replayed: out.length, jobs: out.map((job) => ({ deadLetterId: job.deadLetterId, jobId: job.jobId, job: job.job })) },
        });
      }
      return out;
    });
    result.jobs.push(...moved);
    result.replayed += moved.length;
    if (moved.length > 0) onProgress?.({ replayed: result.replayed, total });
    if (moved.length < REPLAY_BATCH || ids) break;
  }
  return result;
}
