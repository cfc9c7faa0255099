import { type ConstructorOptions, type Db, fromPglite, PgBoss } from "pg-boss";
import type { Config } from "../config/config.ts";
import type { Database } from "../db/database.ts";
import type { Logger } from "../observability/logger.ts";
import type { OutageBackoff } from "./outage-backoff.ts";
import { QUEUE_SCHEMA } from "./queues.ts";

export type BossRole = "producer" | "worker" | "installer";

export interface OpenBossOptions {
  config: Config;
  db: Database;
  log: Logger;
  role: BossRole;
  /** A worker's: slows every pg-boss statement down while the database is unreachable, and quiets the repeats. */
  backoff?: OutageBackoff;
}

/**
 * One pg-boss instance. A producer (API, CLI) only writes and reads jobs, through the app's own
 * connection. A worker also listens for NOTIFY, supervises (heartbeats, retention) and runs cron;
 * on a real server it owns a small pool, since LISTEN needs a session of its own.
 *
 * Import this file lazily (`await import("./open-boss.ts")`): it is what loads pg-boss's package
 * index (with cron-parser, luxon and rrule-temporal), which `serve` does without.
 */
export function createBoss({ config, db, log, role, backoff }: OpenBossOptions): PgBoss {
  const worker = role === "worker";
  const connection: ConstructorOptions =
    worker && db.kind === "postgres" && config.DATABASE_URL
      ? {
          connectionString: config.DATABASE_URL,
          // The fetch loops, the heartbeats and the supervisor; LISTEN has its own connection.
          max: config.JOBS_CONCURRENCY + 3,
          application_name: "backplane-worker",
        }
      : { db: bossDatabaseFor(db) };
  const boss = new PgBoss({
    ...connection,
    schema: QUEUE_SCHEMA,
    backend: db.kind === "pglite" ? "pglite" : "postgres",
    // A worker migrates too: that is what runs pg-boss's deferred index builds (its `bam` table,
    // queued by an upgrade) in the background. The installer stops at once and would never get to them.
    migrate: role !== "producer",
    supervise: worker,
    schedule: worker,
    useListenNotify: worker,
    superviseIntervalSeconds: config.JOBS_SUPERVISE_SECONDS,
    // The monitor pass is what fails jobs whose heartbeat stopped (a SIGKILLed worker); at the
    // default 60 s a lost job would wait a minute before anyone noticed.
    monitorIntervalSeconds: config.JOBS_SUPERVISE_SECONDS,
    cronMonitorIntervalSeconds: config.JOBS_CRON_CHECK_SECONDS,
    // The send-it queue forwards due cron ticks; poll it at the queue's own pace, within pg-boss's 1–45 s.
    cronWorkerIntervalSeconds: Math.min(45, Math.max(1, Math.round(config.JOBS_POLL_INTERVAL_SECONDS))),
    persistWarnings: false,
  });
  if (backoff) {
    // Every component of this instance (fetch loops, heartbeats, supervisor, cron, LISTEN) runs its
    // statements through this one object, so wrapping its executeSql paces them all during an outage.
    const bossDb = boss.getDb();
    const execute = bossDb.executeSql.bind(bossDb);
    bossDb.executeSql = (text, values) => backoff.guard(() => execute(text, values));
  }
  // pg-boss reports background failures (a lost connection, a failed sweep) as events; an
  // unhandled `error` event would crash the process. An outage is logged once by the backoff.
  boss.on("error", (error) => {
    if (backoff?.absorbs(error)) log.debug({ err: error }, "job queue error (database unreachable)");
    else log.error({ err: error }, "job queue error");
  });
  boss.on("warning", (warning) => log.warn({ warning: warning.data }, `job queue: ${warning.message}`));
  return boss;
}

/**
 * pg-boss's one-method database seam over ours. The embedded PGlite is single-connection and
 * in-process, so pg-boss must share that very instance (its adapter also delivers LISTEN/NOTIFY
 * in-process); a pg pool is used as is, because pg-boss sends parameterless multi-statement
 * scripts whose rows only the raw driver returns.
 */
function bossDatabaseFor(db: Database): Db {
  if ("pglite" in db && db.pglite) return fromPglite(db.pglite as Parameters<typeof fromPglite>[0]);
  if ("pool" in db && db.pool) {
    const pool = db.pool as { query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> };
    return { executeSql: (text, values) => pool.query(text, values) as Promise<{ rows: never[] }> };
  }
  throw new Error("The job queue needs the embedded database or a PostgreSQL pool");
}
