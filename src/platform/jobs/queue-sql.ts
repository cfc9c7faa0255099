/**
 * Every statement Backplane runs against pg-boss's tables itself, in one place. pg-boss's API
 * covers sending, working and scheduling; these cover what it does not: handing a job back without
 * spending an attempt, a keyset-paged dead-letter listing, replay with the job's own retry policy,
 * and per-queue metrics in one round trip. `pgboss.job` is the partitioned parent of every queue's
 * table. Values are always $n parameters.
 */
import { QUEUE_SCHEMA } from "./queues.ts";

const job = `${QUEUE_SCHEMA}.job`;

/**
 * Back to `created` for another worker, fenced to the attempt this worker holds: a job that
 * finished, or that another worker already took over, is left alone. Clearing started_on
 * keeps the retry count, so a drain does not use up an attempt.
 */
export const handBackJobs = `
UPDATE ${job}
SET state = 'created', started_on = NULL, heartbeat_on = NULL
WHERE name = $1
  AND id = ANY($2::uuid[])
  AND state = 'active'
  AND (id::text || ':' || retry_count::text) = ANY($3::text[])
RETURNING id`;

export interface DeadLetterRow {
  id: string;
  data: { job?: string; queue?: string; payload?: unknown } | null;
  source_id: string | null;
  source_retry_count: number | null;
  source_output: unknown;
  source_created_on: Date | string | null;
  created_on: Date | string;
}

const deadLetterColumns = "id, data, source_id, source_retry_count, source_output, source_created_on, created_on";

/**
 * Newest first; $2 queue filter or null; ($3, $4) the keyset cursor or nulls; $5 page size.
 * `created_on_exact` is created_on to the microsecond (a JS Date keeps only milliseconds): the
 * cursor carries it, so rows dead-lettered within one millisecond are neither skipped nor repeated.
 */
export const listDeadLetters = `
SELECT ${deadLetterColumns},
  to_char(created_on AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_on_exact
FROM ${job}
WHERE name = $1
  AND state = 'created'
  AND ($2::text IS NULL OR data->>'queue' = $2)
  AND ($3::timestamptz IS NULL OR (created_on, id) < ($3::timestamptz, $4::uuid))
ORDER BY created_on DESC, id DESC
LIMIT $5`;

/**
 * Takes up to $4 dead-lettered jobs out of the dead-letter queue (by id list $2, or all of queue
 * $3), oldest first, locking them so two replays never both take one. Run inside the transaction
 * that re-sends them: a replay is all or nothing, and a second replay finds nothing to move.
 */
export const takeDeadLetters = `
DELETE FROM ${job}
WHERE id IN (
  SELECT id FROM ${job}
  WHERE name = $1
    AND state = 'created'
    AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[]))
    AND ($3::text IS NULL OR data->>'queue' = $3)
  ORDER BY created_on, id
  LIMIT $4
  FOR UPDATE SKIP LOCKED
)
RETURNING ${deadLetterColumns}`;

export const countDeadLetters = `
SELECT count(*)::int AS count FROM ${job}
WHERE name = $1 AND state = 'created' AND ($2::text IS NULL OR data->>'queue' = $2)`;

export interface StateCountRow {
  priority: number;
  state: string;
  count: number;
  oldest_waiting_seconds: number | null;
  completed_1m: number;
  completed_1h: number;
  failed_1m: number;
  failed_1h: number;
}

/** Counts by (priority, state) for the work queue; the priority names the Backplane queue. */
export const queueStateCounts = `
SELECT priority,
  state::text AS state,
  count(*)::int AS count,
  EXTRACT(EPOCH FROM now() - min(created_on) FILTER (WHERE state IN ('created', 'retry') AND start_after <= now()))::float8
    AS oldest_waiting_seconds,
  count(*) FILTER (WHERE state = 'completed' AND completed_on > now() - interval '1 minute')::int AS completed_1m,
  count(*) FILTER (WHERE state = 'completed' AND completed_on > now() - interval '1 hour')::int AS completed_1h,
  count(*) FILTER (WHERE state = 'failed' AND completed_on > now() - interval '1 minute')::int AS failed_1m,
  count(*) FILTER (WHERE state = 'failed' AND completed_on > now() - interval '1 hour')::int AS failed_1h
FROM ${job}
WHERE name = $1
GROUP BY priority, state`;

export const deadLetterCountsByQueue = `
SELECT data->>'queue' AS queue, count(*)::int AS count
FROM ${job}
WHERE name = $1 AND state = 'created'
GROUP BY 1`;
