import type { Redis } from "ioredis";
import { type RateLimiterAbstract, RateLimiterPostgres, RateLimiterRedis } from "rate-limiter-flexible";
import type { Config } from "../config/config.ts";
import type { Database } from "../db/database.ts";

export const RATE_LIMIT_TABLE = "rate_limits";

export interface LimiterSpec {
  /** Unique per policy: the counters' key prefix. */
  name: string;
  points: number;
  durationSeconds: number;
}

export interface RateLimitStore {
  readonly kind: "postgres" | "redis";
  limiter(spec: LimiterSpec): Promise<RateLimiterAbstract>;
  close(): Promise<void>;
}

/**
 * The shared store behind every limiter of one process: Redis when REDIS_URL is set, else the
 * platform's PostgreSQL (`backplane.rate_limits`, created by migration 0008). Either way every
 * instance of the API counts against the same numbers.
 */
export function createRateLimitStore(services: { db: Database; config: Config }): RateLimitStore {
  const limiters = new Map<string, RateLimiterAbstract>();
  const keyOf = (spec: LimiterSpec) => `${spec.name}:${spec.points}:${spec.durationSeconds}`;
  const cached = async (spec: LimiterSpec, make: () => RateLimiterAbstract | Promise<RateLimiterAbstract>) => {
    let limiter = limiters.get(keyOf(spec));
    if (!limiter) {
      limiter = await make();
      limiters.set(keyOf(spec), limiter);
    }
    return limiter;
  };

  const redisUrl = services.config.REDIS_URL;
  if (redisUrl) {
    // ioredis is loaded with the first limit counted: a process without Redis never loads it.
    let client: Promise<Redis> | undefined;
    const redisClient = () => {
      client ??= import("ioredis").then(({ Redis }) => {
        const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2_000 });
        redis.on("error", () => {}); // surfaced by the failing consume() instead
        return redis;
      });
      return client;
    };
    return {
      kind: "redis",
      limiter: (spec) =>
        cached(
          spec,
          async () =>
            new RateLimiterRedis({
              storeClient: await redisClient(),
              keyPrefix: `bp:rl:${spec.name}`,
              points: spec.points,
              duration: spec.durationSeconds,
            }),
        ),
      close: async () => {
        (await client)?.disconnect();
      },
    };
  }

  // The library's client protocol: query({ text, values }) -> { rows, rowCount }, over our one seam.
  const client = {
    query: async (query: { text: string; values?: unknown[] }) => {
      const rows = await services.db.query(query.text, query.values ?? []);
      return { rows, rowCount: rows.length };
    },
  };
  return {
    kind: "postgres",
    limiter: (spec) =>
      cached(
        spec,
        () =>
          new RateLimiterPostgres({
            storeClient: client,
            storeType: "client",
            schemaName: "backplane",
            tableName: RATE_LIMIT_TABLE,
            tableCreated: true,
            // Expired rows are deleted by the platform.rate-limit-cleanup cron, not a timer per process.
            clearExpiredByTimeout: false,
            keyPrefix: spec.name,
            points: spec.points,
            duration: spec.durationSeconds,
          }),
      ),
    close: async () => {},
  };
}

// One store per database handle (per process in production, per test app in tests).
const stores = new WeakMap<Database, RateLimitStore>();

export function rateLimitStoreFor(services: { db: Database; config: Config }): RateLimitStore {
  let store = stores.get(services.db);
  if (!store) {
    store = createRateLimitStore(services);
    stores.set(services.db, store);
  }
  return store;
}

/** Closes the store's Redis connection, if any (process shutdown, test teardown). */
export async function closeRateLimitStore(services: { db: Database }): Promise<void> {
  const store = stores.get(services.db);
  stores.delete(services.db);
  await store?.close();
}
