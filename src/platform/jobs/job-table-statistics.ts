import type { PgBoss } from "pg-boss";
import type { Logger } from "../observability/logger.ts";
import { QUEUE_SCHEMA } from "./queues.ts";

/**
 * pg-boss's tables that autovacuum would analyze by now but will not, because it is off (for the
 * server, or for the table): changed by more than autovacuum's own analyze threshold since their
 * last ANALYZE. $1 is the queue schema.
 */
export const staleUnvacuumedTables = `
SELECT format('%I.%I', s.schemaname, s.relname) AS "table"
FROM pg_stat_user_tables s
JOIN pg_class c ON c.oid = s.relid
WHERE s.schemaname = $1
  AND c.relkind = 'r'
  AND (current_setting('autovacuum') = 'off' OR COALESCE(c.reloptions, '{}') @> ARRAY['autovacuum_enabled=false'])
  AND s.n_mod_since_analyze > current_setting('autovacuum_analyze_threshold')::float8
    + current_setting('autovacuum_analyze_scale_factor')::float8 * GREATEST(c.reltuples, 0)`;

export interface JobStatistics {
  /** One pass: analyzes what autovacuum would have. Returns the tables analyzed. */
  check(): Promise<string[]>;
  stop(): void;
}

/**
 * pg-boss plans its fetch and completion from the job table's statistics. A table never analyzed
 * (a server with autovacuum off, as CI images often run) gets generic estimates that take
 * `name = 'backplane_jobs'` for selective, and completing a batch of 8 then walks every row of
 * the queue: 7.7 ms at 33,000 jobs and growing with the completed backlog, against 0.4 ms once
 * analyzed. Where autovacuum is off, the worker analyzes pg-boss's tables itself, on the
 * supervisor's interval, when autovacuum would have; where it is on, the check finds nothing.
 */
export function keepJobStatistics(
  boss: PgBoss,
  { log, intervalSeconds, absorbs }: { log: Logger; intervalSeconds: number; absorbs(error: unknown): boolean },
): JobStatistics {
  const db = boss.getDb();
  let running: Promise<string[]> | null = null;
  const check = (): Promise<string[]> => {
    running ??= (async () => {
      const { rows } = await db.executeSql(staleUnvacuumedTables, [QUEUE_SCHEMA]);
      const tables = (rows as { table: string }[]).map((row) => row.table);
      // Names come from the catalog, already quoted by format('%I').
      for (const table of tables) await db.executeSql(`ANALYZE ${table}`);
      if (tables.length > 0) log.debug({ tables }, "job queue: analyzed pg-boss tables (autovacuum is off)");
      return tables;
    })().finally(() => {
      running = null;
    });
    return running;
  };
  const timer = setInterval(() => {
    check().catch((error: unknown) => {
      // An outage is the backoff's to report, once.
      if (!absorbs(error)) log.warn({ err: error }, "job queue: analyzing pg-boss tables failed");
    });
  }, intervalSeconds * 1000);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}
