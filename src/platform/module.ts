import type { z } from "@hono/zod-openapi";
import type { Config } from "./config/config.ts";
import type { Database } from "./db/database.ts";
import type { AppRouter } from "./http/app-env.ts";
import type { Logger } from "./observability/logger.ts";

/** What every module and route handler may use. Built once per process; no globals. */
export interface Services {
  config: Config;
  db: Database;
  log: Logger;
}

/** A dependency probed by /api/v1/healthz; throws (or rejects) when down. */
export type HealthCheck = (services: Services) => Promise<void>;

export type QueueName = "critical" | "default" | "bulk";

/** A job a module runs on the worker. The jobs platform enqueues and runs these. */
export interface JobDefinition<Payload = unknown> {
  name: string;
  queue: QueueName;
  payload: z.ZodType<Payload>;
  handler: (payload: Payload, context: { services: Services; jobId: string; attempt: number }) => Promise<void>;
  retry?: { limit?: number; delaySeconds?: number; backoff?: boolean };
}

/** A recurring job: one run per tick across all worker processes. */
export interface CronSchedule {
  name: string;
  cron: string;
  timeZone?: string;
  job: string;
  payload?: unknown;
}

/**
 * The contract every module implements. A module owns one Postgres schema (named after
 * it) and its SQL migrations under `migrations/<name>/`, registers its routes on the
 * shared router, and declares its jobs, cron schedules and health checks.
 */
export interface BackplaneModule {
  name: string;
  /** Routes at the exact paths of the module's seed plan. */
  registerRoutes?: (app: AppRouter, services: Services) => void;
  jobs?: JobDefinition<never>[];
  crons?: CronSchedule[];
  healthChecks?: Record<string, HealthCheck>;
  /** Request media types accepted by path prefix, beyond JSON (e.g. form posts for webhooks). */
  mediaTypes?: Record<string, string[]>;
}

export function defineModule(module: BackplaneModule): BackplaneModule {
  return module;
}
