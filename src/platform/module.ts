import type { z } from "@hono/zod-openapi";
import type { AdminPage } from "./admin/admin-env.ts";
import type { Config } from "./config/config.ts";
import type { Database, Sql } from "./db/database.ts";
import type { AppRouter } from "./http/app-env.ts";
import type { Logger } from "./observability/logger.ts";

/** What every module and route handler may use. Built once per process; no globals. */
export interface Services {
  config: Config;
  db: Database;
  log: Logger;
  /** The job queue: `services.jobs.enqueue(job, payload, { tx })`. */
  jobs: JobQueue;
  /** The clock expiry checks read (sign-in codes, sessions, tokens); tests move it. Default: the system clock. */
  clock?: () => Date;
}

/** A dependency probed by /api/v1/healthz; throws (or rejects) when down. */
export type HealthCheck = (services: Services) => Promise<void>;

/**
 * The three queues, taken in this order when all have work waiting (priorities 10 / 5 / 1).
 * Queues are the platform's; job names are any string a module declares (e.g. `training.process-activity`).
 */
export type QueueName = "critical" | "default" | "bulk";

export interface JobContext {
  services: Services;
  /** Stable across retries of this job; a replay from the dead-letter queue gets a new id. */
  jobId: string;
  /** 1 on the first run, 2 on the first retry, ... */
  attempt: number;
  /** Aborted when the worker gives the job back (drain timeout) or loses its claim. */
  signal: AbortSignal;
}

export interface RetryPolicy {
  /** Retries after the first attempt (default 3); then the dead-letter queue. */
  limit?: number;
  /** Base delay (default JOBS_RETRY_DELAY_SECONDS). */
  delaySeconds?: number;
  /** Exponential backoff with jitter (default true); false = a fixed delay. */
  backoff?: boolean;
  /** Cap on one backoff delay. */
  maxDelaySeconds?: number;
}

/** A job a module runs on the worker. Build with `defineJob` (src/platform/jobs/define-job.ts). */
export interface JobDefinition<Payload = unknown> {
  /** Unique across modules, e.g. `training.process-activity`. */
  name: string;
  queue: QueueName;
  /** Checked on enqueue (error to the caller) and before each run (a payload that fails goes straight to the dead-letter queue). */
  payload: z.ZodType<Payload>;
  handler: (payload: Payload, context: JobContext) => Promise<void>;
  retry?: RetryPolicy;
  /** A run longer than this fails the attempt (default 15 minutes). */
  timeoutSeconds?: number;
}

export interface EnqueueOptions {
  /** Insert inside this transaction: the job exists if and only if it commits. */
  tx?: Sql;
  /** Run no earlier than this (a Date, or seconds from now). */
  startAfter?: Date | number;
  /**
   * `after-commit` (with `tx`): no NOTIFY inside the transaction; the caller calls `jobs.wake()`
   * once it committed. For hot paths: a NOTIFY makes concurrent transactions commit one at a time.
   * Without `tx` the job commits on its own and `enqueue` wakes the workers after it (coalesced).
   */
  wake?: "in-transaction" | "after-commit";
}

export interface DebounceOptions extends Omit<EnqueueOptions, "startAfter" | "wake"> {
  /** What the window is per (a user id): one job of this name per key per window. */
  key: string;
  /** The window's length. */
  seconds: number;
}

/** What modules use to enqueue; the jobs platform implements it. */
export interface JobQueue {
  readonly enabled: boolean;
  /** Validates the payload (AppError validation_failed when it does not fit) and returns the job id. */
  enqueue<Payload>(job: JobDefinition<Payload>, payload: Payload, options?: EnqueueOptions): Promise<string>;
  /**
   * At most one run of `job` per `key` per window of `seconds` (pg-boss's debounce): the first
   * enqueue in a window runs at once; any later ones in that window become one run at the start
   * of the next window; beyond that nothing is added and the answer is null. Work that reads
   * "everything new since last time" (a watermark) then runs once per window however many
   * changes arrive, and never misses the last of them.
   */
  enqueueDebounced<Payload>(job: JobDefinition<Payload>, payload: Payload, options: DebounceOptions): Promise<string | null>;
  /** Wakes idle workers now (after a commit whose jobs were enqueued with `wake: "after-commit"`); never throws. */
  wake(): void;
  /**
   * The job's row as one INSERT (its payload validated as in `enqueue`), for a caller to run inside
   * its own SQL statement and then `wake()` after commit; `$1` is its one parameter, `params[0]`.
   * null where that is not available (the embedded database): use `enqueue`.
   */
  insertStatement<Payload>(job: JobDefinition<Payload>, payload: Payload): { sql: string; params: [string] } | null;
}

/** A recurring job: one run per tick across all worker processes. Ticks are whole minutes at most. */
export interface CronSchedule {
  /** Unique across modules. */
  name: string;
  /** Five-field cron expression, e.g. `0 2 * * *`. */
  cron: string;
  /** IANA zone the expression is read in (default UTC). */
  timeZone?: string;
  /** Name of the job to run (a JobDefinition of any module). */
  job: string;
  payload?: unknown;
}

/**
 * Who owns a table's rows. `org` and `user` tables get row-level security keyed on
 * `app.org_id` / `app.user_id` (docs/platform.md, Tenancy); `global` tables hold no tenant data.
 */
export type TableClass = "org" | "user" | "global";

/** A table a module (or the platform) owns; `backplane db:validate` checks the live database against it. */
export interface TableDeclaration {
  /** Schema-qualified: `biomech.sessions`. The schema is the module's own. */
  name: string;
  class: TableClass;
  /**
   * Columns that must exist, with their type as PostgreSQL's format_type() spells it:
   * `text`, `text[]`, `integer`, `jsonb`, `timestamp with time zone`. A type given without a
   * modifier matches any (`timestamp with time zone` matches `timestamp(3) with time zone`).
   * An `org` table must list `org_id`, a `user` table `user_id`.
   */
  columns: Record<string, string>;
  /** The column the policies compare with the setting, when not `org_id` / `user_id` (backplane.orgs: `id`). */
  tenantColumn?: string;
  /** Rows are never changed or deleted by the app role (the audit log): db:validate checks it has no UPDATE, DELETE or TRUNCATE. */
  appendOnly?: boolean;
  /** For a global table: why it holds no tenant data (shown by db:validate). */
  why?: string;
}

/** A scope keys can carry, `noun:verb`. */
export interface ScopeDeclaration {
  name: string;
  description: string;
}

/** Whose data a privacy exporter or eraser handles: the user being exported or erased. */
export interface PrivacySubject {
  userId: string;
  /** The user's (lower-cased) email, for rows keyed by email rather than by user id (sign-in codes). */
  email: string;
}

/**
 * What a module holds about one user, and how to remove it (docs/privacy.md). Both run in a
 * service transaction (`asService`): the export in one transaction over every module, the erase
 * in one transaction over every module, so a failed eraser leaves nothing half-erased.
 */
export interface PrivacyHandlers {
  /** Everything the module holds about the user, JSON-able (dates as ISO strings); never secrets or digests. */
  export(tx: Sql, subject: PrivacySubject): Promise<Record<string, unknown>>;
  /**
   * Deletes every row of the user (or strips the user from rows others own) and returns counts by
   * kind. Modules erase before the platform, which deletes the user row last.
   */
  erase(tx: Sql, subject: PrivacySubject): Promise<Record<string, number>>;
}

/** What a cleanup runs with. `now` is the tick's time, never the wall clock: tests move it. */
export interface CleanupContext {
  db: Database;
  config: Config;
  /** To enqueue follow-up work (re-running what was derived from deleted rows) in the cleanup's transaction. */
  jobs: JobQueue;
  now: Date;
}

/** Deletes what is past retention; the platform's cleanup cron (`0 2 * * *`) runs every one registered. */
export interface Cleanup {
  /** Unique across modules: `<module>.<what>`, e.g. `workflows.logs`. */
  name: string;
  /** Returns how many rows went, by kind (`{ sessions: 3, codes: 1 }`). */
  run(context: CleanupContext): Promise<Record<string, number>>;
}

/** A figure each metrics snapshot records (`/api/metrics/collect`, every 6 hours). */
export interface MetricSource {
  /** Unique across modules: `<module>.<what>`, e.g. `insights.events_ingested`. */
  name: string;
  /** The figure for the window since the previous snapshot (`from` null: the first ever). Service transaction. */
  collect(tx: Sql, window: { from: Date | null; to: Date }): Promise<number>;
}

/** What a module adds to the platform's catalogs (tables, scopes, id prefixes); the platform declares its own the same way. */
export interface ModuleDeclarations {
  /** The module's name, which is also its Postgres schema and its migrations folder. */
  name: string;
  tables?: TableDeclaration[];
  scopes?: ScopeDeclaration[];
  /** Id prefixes the module mints with `newId`, and what each names: `{ ses: "capture session" }`. */
  idPrefixes?: Record<string, string>;
  /** How the module exports and erases one user's data. Required of every module holding user data: the delete job's residue scan refuses otherwise. */
  privacy?: PrivacyHandlers;
  /** Retention work the daily cleanup runs. */
  cleanups?: Cleanup[];
  /** Figures each metrics snapshot records. */
  metricSources?: MetricSource[];
}

/**
 * The contract every module implements. A module owns one Postgres schema (named after
 * it) and its SQL migrations under `migrations/<name>/`, registers its routes on the
 * shared router, and declares its jobs, cron schedules and health checks.
 */
export interface BackplaneModule extends ModuleDeclarations {
  /** Routes at the exact paths of the module's seed plan. */
  registerRoutes?: (app: AppRouter, services: Services) => void;
  // biome-ignore lint/suspicious/noExplicitAny: a module lists jobs of many payload types
  jobs?: JobDefinition<any>[];
  crons?: CronSchedule[];
  healthChecks?: Record<string, HealthCheck>;
  /** Request media types accepted by path prefix, beyond JSON (e.g. form posts for webhooks). */
  mediaTypes?: Record<string, string[]>;
  /** Body limits (bytes) below BODY_LIMIT_BYTES by path prefix; applied instead of the global one. */
  bodyLimits?: Record<string, number>;
  /**
   * Path prefixes whose remainder is a secret (a webhook key in the URL): the request log line,
   * 404/405 messages and anything else that names the path show `<prefix>[redacted]`.
   */
  secretPathPrefixes?: string[];
  /** Pages the module adds to the admin console (/admin), behind its sign-in and CSRF check. */
  adminPages?: AdminPage[];
}

export function defineModule(module: BackplaneModule): BackplaneModule {
  return module;
}
