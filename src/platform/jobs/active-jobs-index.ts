import pg from "pg";
import type { Database } from "../db/database.ts";
import type { AppliedMigration } from "../migrations/apply-migrations.ts";
import { QUEUE_SCHEMA } from "./queues.ts";

/**
 * The name of Backplane's index of active jobs on one pg-boss job table. pg-boss names its own
 * `<table>_i<N>`; the `bp` keeps ours apart from any it adds later.
 */
export const activeJobsIndexName = (table: string): string => `${table}_bp_active`;

/**
 * pg-boss's supervise pass fails expired and silent jobs with `WHERE state = 'active' AND …` every
 * `JOBS_SUPERVISE_SECONDS`, and none of its indexes serves that predicate: with 1,000,000 completed
 * jobs kept for retention, each of the two sweeps read the whole table (0.27–0.55 s of CPU per
 * pass). A partial index of the few active rows answers both in ~4 ms and costs one index entry
 * per activation, an update that is never HOT anyway (state is in pg-boss's own partial indexes).
 *
 * Built in one transaction, not CONCURRENTLY: concurrent installs wait on the advisory lock and
 * find it built, and an interrupted build leaves nothing behind. The price is that enqueues wait
 * for the build, once, on the upgrade that adds it (0.3 s at 1,000,000 rows). An invalid index of
 * that name (a manual CONCURRENTLY build that failed) is replaced.
 *
 * The build waits for transactions that wrote to the table to end, and every enqueue queues
 * behind a waiting build; so it waits at most BUILD_LOCK_TIMEOUT, and when that runs out it is
 * left for the next migrate (or boot) to try again: the index saves work, nothing depends on it.
 */
export async function createActiveJobsIndex(db: Database, table: string): Promise<AppliedMigration | null> {
  const index = activeJobsIndexName(table);
  return db
    .transaction(async (tx) => {
      // Read committed whatever the database's default: the check below must see what the
      // advisory lock's previous holder committed, not a snapshot taken before the lock was granted.
      await tx.exec(`SET TRANSACTION ISOLATION LEVEL READ COMMITTED; SET LOCAL lock_timeout = '${BUILD_LOCK_TIMEOUT}'`);
      await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`backplane:${QUEUE_SCHEMA}.${index}`]);
      const [existing] = await tx.query<{ valid: boolean }>(
        "SELECT i.indisvalid AS valid FROM pg_index i WHERE i.indexrelid = to_regclass(format('%I.%I', $1::text, $2::text))",
        [QUEUE_SCHEMA, index],
      );
      if (existing?.valid) return null;
      if (existing) await tx.exec(`DROP INDEX ${quoted(QUEUE_SCHEMA)}.${quoted(index)}`);
      await tx.exec(`CREATE INDEX ${quoted(index)} ON ${quoted(QUEUE_SCHEMA)}.${quoted(table)} (name) WHERE state = 'active'`);
      return { module: "jobs", version: 0, name: `index ${index}` } satisfies AppliedMigration;
    })
    .catch((error: unknown) => {
      // 55P03 lock_not_available: the table's writers outlasted BUILD_LOCK_TIMEOUT.
      if ((error as { code?: string }).code === "55P03") return null;
      throw error;
    });
}

const BUILD_LOCK_TIMEOUT = "1s";

// Table names come from pg-boss's queue table; quoted all the same.
const quoted = pg.escapeIdentifier;
