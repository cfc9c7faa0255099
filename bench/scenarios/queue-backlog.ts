import pg from "pg";
import { JOBS_QUEUE, QUEUE_SCHEMA, queuePriority } from "../../src/platform/jobs/queues.ts";
import { DEFAULT_RETRY_LIMIT, DEFAULT_TIMEOUT_SECONDS } from "../../src/platform/jobs/send-options.ts";

/**
 * Puts `count` completed no-op jobs into pg-boss's job table of a migrated bench database, as a
 * busy day leaves them (Backplane keeps completed jobs for JOBS_KEEP_COMPLETED_HOURS, 24 h): one
 * INSERT … SELECT over generate_series, in the state, queue and settings the queue's own rows have,
 * completed over the last two hours (within the retention, so no deletion pass removes them while
 * measured). Then VACUUM (ANALYZE), as autovacuum would have long done on a server where they
 * completed over hours (this machine's server runs with autovacuum off).
 */
export async function fillCompletedJobs(databaseUrl: string, count: number): Promise<{ seconds: number; tableBytes: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const t0 = performance.now();
  try {
    // The row settings a shipped `jobs.enqueue` of a default-queue job writes (send-options.ts).
    await client.query(
      `INSERT INTO ${QUEUE_SCHEMA}.job (id, name, data, state, priority, policy, retry_limit, retry_delay, retry_backoff,
                                        expire_seconds, heartbeat_seconds, deletion_seconds,
                                        start_after, created_on, started_on, completed_on, keep_until)
       SELECT gen_random_uuid(), q.name, jsonb_build_object('job', 'bench.noop', 'queue', 'default', 'payload', jsonb_build_object('t', s.g)),
              'completed', $3, q.policy, $4, $5, true, $6, $7, $8,
              s.at, s.at, s.at, s.at + interval '2 ms', s.at + q.retention_seconds * interval '1 s'
       FROM ${QUEUE_SCHEMA}.queue q,
            LATERAL (SELECT now() - interval '2 hours' + g * (interval '2 hours' / $2::int) AS at, g FROM generate_series(1, $2::int) g) s
       WHERE q.name = $1`,
      [JOBS_QUEUE, count, queuePriority.default, DEFAULT_RETRY_LIMIT, 2, DEFAULT_TIMEOUT_SECONDS, 20, 24 * 3600],
    );
    await client.query(`VACUUM (ANALYZE) ${QUEUE_SCHEMA}.job`);
    const [row] = (
      await client.query<{ bytes: string }>(
        `SELECT sum(pg_total_relation_size(inhrelid))::text AS bytes FROM pg_inherits WHERE inhparent = '${QUEUE_SCHEMA}.job'::regclass`,
      )
    ).rows;
    return { seconds: (performance.now() - t0) / 1000, tableBytes: Number(row?.bytes ?? 0) };
  } finally {
    await client.end();
  }
}
