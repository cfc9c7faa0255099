import path from "node:path";
import { z } from "zod";
import { developmentSecretIn, randomSecret } from "./development-secret.ts";

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
const smtpUrl = z
  .string()
  .url()
  .refine((value) => /^smtps?:\/\//.test(value), "must start with smtp:// (STARTTLS when offered) or smtps:// (TLS)");
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
  /**
   * Prepare the hot statements (marked with `prepared()`) once per connection: PostgreSQL then
   * parses and plans each once instead of on every run. Set false behind a transaction pooler that cannot carry prepared statements
   * (PgBouncer < 1.21 or without max_prepared_statements, Supavisor/Supabase port 6543).
   */
  DATABASE_PREPARED_STATEMENTS: booleanFlag.default(true),
  BACKPLANE_DATA_DIR: z.string().min(1).default(".backplane/data"),
  BACKPLANE_EMBEDDED_PG_PORT: port.default(54329),
  /**
   * Expose the embedded database on 127.0.0.1:BACKPLANE_EMBEDDED_PG_PORT for psql and the CLI while
   * start/serve runs. Default: on outside production; refused in production.
   */
  BACKPLANE_EMBEDDED_SOCKET: booleanFlag.optional(),
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
  /**
   * The budget of `start`/`serve` from SIGTERM to exit: the HTTP drain and the worker's drain run
   * in parallel inside it (less a 5 s reserve for handing jobs back and closing). Below the 30 s
   * grace period of Kubernetes and most platforms.
   */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(25_000),
  MIGRATE_ON_BOOT: booleanFlag.default(true),
  /** Keys the HMAC digests of API keys and signs pagination cursors. */
  BACKPLANE_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  /** How long a verified (or unknown) API key is cached in process; also the bound on revocation lag. */
  API_KEY_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).max(30).default(10),
  /**
   * Failed API-key verifications one client IP may make per minute (per process) before its key
   * checks get 429 without a lookup: a flood of well-formed random keys then costs at most this
   * many database queries per IP. 0 turns it off.
   */
  API_KEY_FAILURES_PER_MINUTE: z.coerce.number().int().min(0).max(100_000).default(60),
  /** Live (unrevoked, unexpired) API keys one org may hold; creating or rotating beyond it is a 409 key_limit_reached. */
  KEYS_MAX_PER_ORG: z.coerce.number().int().min(1).max(1_000_000).default(1000),
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
  /**
   * On SIGTERM a worker lets running jobs finish this long, then hands the rest back. The standalone
   * `worker` exits within this plus 5 s; in `start` it is capped to fit SHUTDOWN_TIMEOUT_MS.
   */
  WORKER_DRAIN_SECONDS: z.coerce.number().min(0).max(3600).default(30),
  /** Proxies in front that append to X-Forwarded-For (0: use the socket address); sets the client IP in audit rows. */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /** How long audit events are kept; a daily job deletes older ones. */
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(365),
  /** The platform's built-in rate limits (sign-in, web vitals, API keys). Off only in tests; refused off in production. */
  RATE_LIMITS_ENABLED: booleanFlag.default(true),
  /**
   * Deployment default for API keys without a limit of their own: `<perSecond>` or
   * `<perSecond>:<burst>`. Unset: no limit (the default).
   */
  API_KEY_RATE_LIMIT: z
    .string()
    .regex(/^[1-9][0-9]{0,5}(:[1-9][0-9]{0,6})?$/, "must be <requests per second> or <requests per second>:<burst>, e.g. 50:100")
    .transform((value) => {
      const [perSecond, burst] = value.split(":").map(Number) as [number, number | undefined];
      return { perSecond, burst: burst ?? perSecond };
    })
    .optional(),
  /** How long the community module keeps web-vitals measurements (a daily job deletes older ones). */
  WEB_VITALS_RETENTION_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** Training sync (seed 004): how long ids deleted on the server are kept for devices to pull; older devices get a full replacement pull. */
  SYNC_TOMBSTONE_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  /** How long an emailed sign-in code works. */
  OTP_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(300),
  /** Outgoing mail server; unset = mail is written to the log (development and tests only). */
  SMTP_URL: smtpUrl.optional(),
  /** The From of every mail the platform sends: `Name <address>` or a bare address. */
  MAIL_FROM: z.string().min(3).max(320).default("Backplane <no-reply@localhost>"),
  /** How long an Idempotency-Key's stored answer is replayed (then a cron deletes it). */
  IDEMPOTENCY_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),
  /** How long a claimed Idempotency-Key stays "in flight" without an answer before a retry may take it over (a crashed request). */
  IDEMPOTENCY_LEASE_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  /** How long inbound webhook events (raw bodies) are kept. */
  WEBHOOK_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** How long workflow log rows are kept (days); a daily job deletes older ones. */
  LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /**
   * Hosts (exact names, or IP addresses/CIDRs) outbound calls may reach although they are private or
   * loopback: for local development and tests only. Everything else private is refused.
   */
  OUTBOUND_ALLOWED_HOSTS: commaList.default([]),
  /** Timeout of one outbound call (a workflow http_request step), unless the step sets its own. */
  OUTBOUND_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Require an API key (or a docs session cookie) for /api/docs and /api/openapi.json; default on in production, off otherwise. */
  DOCS_REQUIRE_KEY: booleanFlag.optional(),
  /** Bearer token for GET /metrics; unset = /metrics is off in production, open otherwise. */
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  // --- Training module (seed 004): providers, webhooks, notifications ---
  /** Strava API application (https://www.strava.com/settings/api): OAuth client and webhook subscription. */
  STRAVA_CLIENT_ID: z
    .string()
    .regex(/^[0-9]{1,20}$/, "must be the numeric Client ID")
    .optional(),
  STRAVA_CLIENT_SECRET: z.string().min(8).optional(),
  /** Where Strava sends the user back after consent (GET /api/training/providers/strava/callback on this server). */
  STRAVA_REDIRECT_URI: z.string().url().optional(),
  /** The verify_token given when creating the push subscription; the GET handshake must echo it. */
  STRAVA_VERIFY_TOKEN: z.string().min(8, "must be at least 8 characters").optional(),
  /** The push subscription's id: events carrying another subscription_id are refused. */
  STRAVA_SUBSCRIPTION_ID: z
    .string()
    .regex(/^[0-9]{1,20}$/, "must be the numeric subscription id")
    .optional(),
  /** Optional secret last path segment of the callback URL (/webhooks/strava/<secret>); then the bare path is refused. */
  STRAVA_WEBHOOK_PATH_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,128}$/, "must be 16-128 URL-safe characters")
    .optional(),
  STRAVA_API_URL: z.string().url().default("https://www.strava.com/api/v3"),
  STRAVA_OAUTH_URL: z.string().url().default("https://www.strava.com/oauth"),
  /** Garmin Connect Developer Program consumer key: push and ping requests carry it as `garmin-client-id`. */
  GARMIN_CLIENT_ID: z.string().min(8).optional(),
  /** Optional shared secret a gateway in front adds as `X-Webhook-Secret` to Garmin deliveries. */
  GARMIN_WEBHOOK_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  /** Origin ping callbackURLs must be on (they are fetched with the server's egress). */
  GARMIN_API_URL: z.string().url().default("https://apis.garmin.com"),
  /** Earlier BACKPLANE_SECRETs whose provider-token keys still decrypt (rotation); tokens are re-sealed under the current one. */
  PROVIDER_TOKEN_PREVIOUS_SECRETS: commaList.default([]),
  /** Expo push service origin (expo-server-sdk posts to <origin>/--/api/v2/push/send). */
  EXPO_PUSH_URL: z.string().url().default("https://exp.host"),
  /** Expo access token when "enhanced push security" is on for the project. */
  EXPO_ACCESS_TOKEN: z.string().min(8).optional(),
  /** Where "activity analyzed" events are also POSTed, signed per Standard Webhooks. */
  TRAINING_NOTIFY_WEBHOOK_URL: z.string().url().optional(),
  /** The Standard Webhooks signing secret for that URL: `whsec_` + base64 of 24-64 random bytes. */
  TRAINING_NOTIFY_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/, "must be whsec_ followed by base64 of 24-64 random bytes")
    .optional(),
  /**
   * Bearer token Vercel Cron sends to the cron routes (/api/privacy/cron/cleanup, /api/metrics/collect):
   * `Authorization: Bearer $CRON_SECRET`. Unset: those routes answer 401 to everyone (the worker's
   * schedules still run the same ticks).
   */
  CRON_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  /** How long metrics snapshots are kept (days); the daily cleanup deletes older ones. */
  METRICS_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(400),
  /** Supabase Auth's JWT secret (HS256): `Authorization: Bearer <Supabase access token>` is then accepted as a user. */
  SUPABASE_JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  /** Supabase Auth's JWKS (asymmetric signing keys), e.g. https://<project>.supabase.co/auth/v1/.well-known/jwks.json. */
  SUPABASE_JWKS_URL: z.string().url().optional(),
  /** The `iss` Supabase access tokens must carry, e.g. https://<project>.supabase.co/auth/v1. Required with either of the two above. */
  SUPABASE_JWT_ISSUER: z.string().min(1).optional(),
  /** The `aud` they must carry (Supabase's signed-in users: `authenticated`). */
  SUPABASE_JWT_AUDIENCE: z.string().min(1).default("authenticated"),
  /**
   * Whether a Supabase identity seen for the first time may be linked by its email to an existing
   * platform user who is a platform admin or an org owner/admin. Off: such a token is a 401 (a
   * Supabase token does not say the address was confirmed). Ordinary users are linked either way.
   */
  SUPABASE_LINK_PRIVILEGED_BY_EMAIL: booleanFlag.default(false),
});

/**
 * Secrets that are public (an earlier version shipped this one as its development default):
 * anyone can compute keys and forge cursors with them, so they are refused everywhere.
 */
const PUBLIC_SECRETS = new Set(["backplane-development-secret-not-for-production"]);

export type Config = Omit<z.infer<typeof configSchema>, "BACKPLANE_SECRET" | "BACKPLANE_EMBEDDED_SOCKET"> & {
  /** Resolved: the configured value, or on outside production. */
  BACKPLANE_EMBEDDED_SOCKET: boolean;
  /** Absolute path of the embedded database folder. */
  dataDir: string;
  /** Always set: the configured secret, or (outside production, on a loopback HOST) this install's development one. */
  BACKPLANE_SECRET: string;
};

export interface ParseConfigOptions {
  /**
   * Where a development secret comes from when BACKPLANE_SECRET is unset. `loadConfig` keeps one
   * per install in the data folder; the default is a fresh random one (tests, one-off tools).
   */
  developmentSecret?: (dataDir: string) => string;
}

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Parses the environment once. Throws ConfigError with a one-line message naming
 * the first bad variable; callers at the process edge print it and exit non-zero.
 */
export function parseConfig(env: Record<string, string | undefined>, options: ParseConfigOptions = {}): Config {
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
  const dataDir = path.resolve(result.data.BACKPLANE_DATA_DIR);
  const secretHint = "at least 32 random characters, e.g. `openssl rand -base64 48`";
  if (secret !== undefined && PUBLIC_SECRETS.has(secret)) {
    throw new ConfigError(`Invalid configuration: BACKPLANE_SECRET: is a published development value; set your own (${secretHint})`);
  }
  if (secret === undefined && result.data.NODE_ENV === "production") {
    throw new ConfigError(`Invalid configuration: BACKPLANE_SECRET: is required when NODE_ENV=production (${secretHint})`);
  }
  if (secret === undefined && !isLoopbackHost(result.data.HOST)) {
    throw new ConfigError(
      `Invalid configuration: BACKPLANE_SECRET: is required when HOST (${result.data.HOST}) is not a loopback address (${secretHint})`,
    );
  }
  if (result.data.NODE_ENV === "production" && !result.data.RATE_LIMITS_ENABLED) {
    throw new ConfigError("Invalid configuration: RATE_LIMITS_ENABLED: cannot be false when NODE_ENV=production");
  }
  if (result.data.NODE_ENV === "production" && result.data.SMTP_URL === undefined) {
    throw new ConfigError(
      "Invalid configuration: SMTP_URL: is required when NODE_ENV=production (smtp://user:pass@host:587 or smtps://user:pass@host:465); without it sign-in codes could not be mailed",
    );
  }
  if (result.data.BACKPLANE_EMBEDDED_SOCKET === true && result.data.NODE_ENV === "production") {
    throw new ConfigError(
      "Invalid configuration: BACKPLANE_EMBEDDED_SOCKET: is not allowed when NODE_ENV=production (it gives superuser access without a password; use DATABASE_URL)",
    );
  }
  const supabaseKeyed = result.data.SUPABASE_JWT_SECRET !== undefined || result.data.SUPABASE_JWKS_URL !== undefined;
  if (supabaseKeyed && result.data.SUPABASE_JWT_ISSUER === undefined) {
    throw new ConfigError(
      "Invalid configuration: SUPABASE_JWT_ISSUER: is required with SUPABASE_JWT_SECRET or SUPABASE_JWKS_URL (e.g. https://<project>.supabase.co/auth/v1): a token's issuer is always checked",
    );
  }
  if (result.data.SUPABASE_JWKS_URL?.startsWith("http:") && result.data.NODE_ENV === "production") {
    throw new ConfigError("Invalid configuration: SUPABASE_JWKS_URL: must be https:// when NODE_ENV=production");
  }
  if ((result.data.TRAINING_NOTIFY_WEBHOOK_URL === undefined) !== (result.data.TRAINING_NOTIFY_WEBHOOK_SECRET === undefined)) {
    throw new ConfigError(
      "Invalid configuration: TRAINING_NOTIFY_WEBHOOK_SECRET: TRAINING_NOTIFY_WEBHOOK_URL and TRAINING_NOTIFY_WEBHOOK_SECRET go together (a webhook is never sent unsigned)",
    );
  }
  const developmentSecret = options.developmentSecret ?? randomSecret;
  return {
    ...result.data,
    BACKPLANE_SECRET: secret ?? developmentSecret(dataDir),
    BACKPLANE_EMBEDDED_SOCKET: result.data.BACKPLANE_EMBEDDED_SOCKET ?? result.data.NODE_ENV !== "production",
    dataDir,
  };
}

/**
 * The process environment, read in exactly one place. `defaults` apply to variables the
 * environment leaves unset (a deployment kind's own, e.g. a small pool under Next.js).
 */
export function loadConfig(overrides: Record<string, string | undefined> = {}, defaults: Record<string, string> = {}): Config {
  const set = (value: string | undefined) => value !== undefined && value !== "";
  const environment = Object.fromEntries(Object.entries({ ...process.env, ...overrides }).filter(([, value]) => set(value)));
  return parseConfig({ ...defaults, ...environment }, { developmentSecret: developmentSecretIn });
}
