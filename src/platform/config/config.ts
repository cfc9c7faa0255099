import path from "node:path";
import { z } from "zod";

const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const port = z.coerce.number().int().min(0).max(65535);
const commaList = z.string().transform((value) =>
  value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean),
);
const booleanFlag = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((value) => value === "true" || value === "1" || value === "yes");
const postgresUrl = z
  .string()
  .url()
  .refine((value) => /^postgres(ql)?:\/\//.test(value), "must start with postgres:// or postgresql://");
const redisUrl = z
  .string()
  .url()
  .refine((value) => /^rediss?:\/\//.test(value), "must start with redis:// or rediss://");

/** Every environment variable Backplane reads. `.env.example` documents each one. */
export const configSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: port.default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(1000).default(10),
  BACKPLANE_DATA_DIR: z.string().min(1).default(".backplane/data"),
  BACKPLANE_EMBEDDED_PG_PORT: port.default(54329),
  LOG_LEVEL: z.enum(logLevels).default("info"),
  LOG_PRETTY: booleanFlag.optional(),
  REDIS_URL: redisUrl.optional(),
  CORS_ORIGINS: commaList.default([]),
  BACKPLANE_MODULES: commaList.optional(),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  MIGRATE_ON_BOOT: booleanFlag.default(true),
  /** Keys the HMAC digests of API keys and signs pagination cursors. */
  BACKPLANE_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  /** How long a verified (or unknown) API key is cached in process; also the bound on revocation lag. */
  API_KEY_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).max(30).default(10),
  /** Static keys for the biomech module (the seed's "current,next" rotation pair). */
  BIOMECH_API_KEYS: commaList
    .refine((keys) => keys.every((key) => key.length >= 24), "each key must be at least 24 characters")
    .default([]),
  /** A connection with SELECT only on the biomech schema; biomech reads use it when set. */
  DATABASE_URL_READONLY: postgresUrl.optional(),
  /** Module files (comma list of paths) loaded beside the shipped ones; each default-exports a module. */
  BACKPLANE_EXTRA_MODULES: commaList.optional(),
  /** Turns the job queue (enqueue, worker, cron, queue routes, queue health) on or off. */
  JOBS_ENABLED: booleanFlag.default(true),
  /** Fetch loops per worker process; each runs up to JOBS_BATCH_SIZE jobs at once. */
  JOBS_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
  JOBS_BATCH_SIZE: z.coerce.number().int().min(1).max(100).default(8),
  /** Backstop poll while LISTEN/NOTIFY wakes workers; it also bounds how late a due retry starts. */
  JOBS_POLL_INTERVAL_SECONDS: z.coerce.number().min(0.5).max(60).default(1),
  /** Base retry delay; doubles each attempt (with jitter) unless a job sets its own policy. */
  JOBS_RETRY_DELAY_SECONDS: z.coerce.number().int().min(0).max(3600).default(2),
  /** A running job's heartbeat; a worker silent this long (SIGKILL, lost host) has its jobs retried. */
  JOBS_HEARTBEAT_SECONDS: z.coerce.number().int().min(10).max(600).default(20),
  /** How often a worker sweeps for jobs whose heartbeat stopped. */
  JOBS_SUPERVISE_SECONDS: z.coerce.number().int().min(1).max(600).default(10),
  /** How often a worker checks cron schedules (one tick is still one run). */
  JOBS_CRON_CHECK_SECONDS: z.coerce.number().int().min(1).max(45).default(10),
  /** How long completed and failed jobs stay visible (metrics, debugging). */
  JOBS_KEEP_COMPLETED_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),
  /** How long a dead-lettered job waits for replay before it is deleted. */
  JOBS_DLQ_RETENTION_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** On SIGTERM a worker lets running jobs finish this long, then hands the rest back. */
  WORKER_DRAIN_SECONDS: z.coerce.number().min(0).max(3600).default(30),
  /** Bearer token for GET /metrics; unset = /metrics is off in production, open otherwise. */
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
});

/** Used outside production only, so a fresh checkout runs without setup; production must set its own. */
export const DEVELOPMENT_SECRET = "backplane-development-secret-not-for-production";

export type Config = Omit<z.infer<typeof configSchema>, "BACKPLANE_SECRET"> & {
  /** Absolute path of the embedded database folder. */
  dataDir: string;
  /** Always set: the configured secret, or the development one outside production. */
  BACKPLANE_SECRET: string;
};

export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Parses the environment once. Throws ConfigError with a one-line message naming
 * the first bad variable; callers at the process edge print it and exit non-zero.
 */
export function parseConfig(env: Record<string, string | undefined>): Config {
  // An empty variable means "unset" so `.env` files with `FOO=` fall back to defaults.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ""));
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = String(issue?.path[0] ?? "environment");
    const received = cleaned[name];
    const shown = received === undefined || /URL|KEY|SECRET|PASSWORD|TOKEN/.test(name) ? "" : ` (got "${received}")`;
    const reason = (issue?.message ?? "is invalid").replace(/^Invalid input: /, "");
    throw new ConfigError(`Invalid configuration: ${name}: ${reason}${shown}`);
  }
  const secret = result.data.BACKPLANE_SECRET;
  if (result.data.NODE_ENV === "production" && (secret === undefined || secret === DEVELOPMENT_SECRET)) {
    throw new ConfigError(
      "Invalid configuration: BACKPLANE_SECRET: is required when NODE_ENV=production (at least 32 random characters, e.g. `openssl rand -base64 48`)",
    );
  }
  return { ...result.data, BACKPLANE_SECRET: secret ?? DEVELOPMENT_SECRET, dataDir: path.resolve(result.data.BACKPLANE_DATA_DIR) };
}

/** The process environment, read in exactly one place. */
export function loadConfig(overrides: Record<string, string | undefined> = {}): Config {
  return parseConfig({ ...process.env, ...overrides });
}
