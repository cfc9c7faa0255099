import pgBossPackage from "pg-boss/package.json" with { type: "json" };
import type { Sql } from "../db/database.ts";
import { activeJobsIndexName } from "./active-jobs-index.ts";
import { DEAD_LETTER_QUEUE, JOBS_QUEUE, QUEUE_SCHEMA } from "./queues.ts";

/** The schema version this pg-boss installs and expects (what its own installer compares with). */
export const BOSS_SCHEMA_VERSION: number = pgBossPackage.pgboss.schema;

export interface QueueInstall {
  /** pg-boss's schema version in the database; null when pg-boss is not installed. */
  version: number | null;
  /**
   * Backplane's queues that exist: each one's partition table, whether it NOTIFYs on insert, and
   * whether that table has Backplane's valid index of active jobs (active-jobs-index.ts).
   */
  queues: Map<string, QueueTable>;
}

export interface QueueTable {
  table: string;
  notify: boolean;
  activeJobsIndex: boolean;
}

const installState = `
SELECT v.version::int AS version, q.name, q.table_name AS "table", q.notify,
  COALESCE((
    SELECT i.indisvalid FROM pg_index i
    WHERE q.table_name IS NOT NULL -- no queue: format() refuses a NULL identifier
      AND i.indexrelid = to_regclass(format('%I.%I', '${QUEUE_SCHEMA}', q.table_name || $2::text))
  ), false) AS "activeJobsIndex"
FROM ${QUEUE_SCHEMA}.version v
LEFT JOIN ${QUEUE_SCHEMA}.queue q ON q.name = ANY($1::text[])`;

/**
 * pg-boss's install state in one statement, read without loading pg-boss: importing its package
 * index (with cron-parser, luxon and rrule-temporal) is boot CPU the API process does not need
 * when the schema is current, which it is on every boot but the first after an upgrade.
 */
export async function readQueueInstall(db: Sql): Promise<QueueInstall> {
  try {
    const rows = await db.query<{
      version: number;
      name: string | null;
      table: string | null;
      notify: boolean | null;
      activeJobsIndex: boolean;
    }>(installState, [[JOBS_QUEUE, DEAD_LETTER_QUEUE], activeJobsIndexName("")]);
    const queues = new Map<string, QueueTable>();
    for (const row of rows) {
      if (row.name && row.table)
        queues.set(row.name, { table: row.table, notify: row.notify === true, activeJobsIndex: row.activeJobsIndex });
    }
    return { version: rows[0]?.version ?? null, queues };
  } catch (error) {
    // 42P01: no pgboss.version (or no pgboss schema): not installed.
    if ((error as { code?: string }).code === "42P01") return { version: null, queues: new Map() };
    throw error;
  }
}

/** What pg-boss's own start checks for a process that does not install (its contractor's `check`), with its messages. */
export function assertQueueInstalled(install: QueueInstall): void {
  if (install.version === null) throw new Error("pg-boss is not installed");
  if (install.version !== BOSS_SCHEMA_VERSION) throw new Error("pg-boss database requires migrations");
}

/** pg-boss's part: its schema at this pg-boss's version and both of Backplane's queues created. */
export const isBossInstallCurrent = (install: QueueInstall): boolean =>
  install.version === BOSS_SCHEMA_VERSION && install.queues.has(JOBS_QUEUE) && install.queues.has(DEAD_LETTER_QUEUE);

/** The job tables of Backplane's queues that lack Backplane's index of active jobs. */
export const tablesWithoutActiveJobsIndex = (install: QueueInstall): string[] => [
  ...new Set([...install.queues.values()].filter((queue) => !queue.activeJobsIndex).map((queue) => queue.table)),
];
