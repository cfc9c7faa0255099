import type { Context } from "hono";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { Config } from "../config/config.ts";
import type { AppEnv } from "../http/app-env.ts";
import { clientIpOf } from "../http/client-ip.ts";
import { AppError } from "../http/errors.ts";

export interface KeyFailureLimit {
  /** 429 before any lookup when this caller has spent its failed verifications. */
  refuseIfSpent(c: Context<AppEnv>): Promise<void>;
  /** Counts one failed verification against the caller. */
  record(c: Context<AppEnv>): Promise<void>;
}

const off: KeyFailureLimit = { refuseIfSpent: async () => {}, record: async () => {} };

/**
 * Per-IP budget of failed key verifications, in this process's memory: the point is to keep a
 * flood away from the database, so asking the database (or Redis) first would defeat it. A caller
 * with no known IP (in-process tests) is not limited.
 */
export function createKeyFailureLimit(config: Config): KeyFailureLimit {
  if (config.API_KEY_FAILURES_PER_MINUTE === 0) return off;
  const limiter = new RateLimiterMemory({ keyPrefix: "key-failures", points: config.API_KEY_FAILURES_PER_MINUTE, duration: 60 });
  const ipOf = (c: Context<AppEnv>) => clientIpOf(c, config.TRUST_PROXY_HOPS);
  return {
    async refuseIfSpent(c) {
      const ip = ipOf(c);
      if (!ip) return;
      const spent = await limiter.get(ip);
      if (spent && spent.remainingPoints <= 0) {
        const retryAfter = Math.max(1, Math.ceil(spent.msBeforeNext / 1000));
        throw new AppError("rate_limited", `Too many failed API key checks from this address; retry in ${retryAfter} s`, {
          details: { policy: "api-key-failures", retryAfterSeconds: retryAfter },
          headers: { "Retry-After": String(retryAfter) },
        });
      }
    },
    async record(c) {
      const ip = ipOf(c);
      if (!ip) return;
      await limiter.consume(ip).catch((outcome: unknown) => {
        if (!(outcome instanceof RateLimiterRes)) throw outcome;
      });
    },
  };
}

const limits = new WeakMap<Config, KeyFailureLimit>();

/** One budget per process (per config object: per test app in tests). */
export function keyFailureLimitFor(config: Config): KeyFailureLimit {
  let limit = limits.get(config);
  if (!limit) {
    limit = createKeyFailureLimit(config);
    limits.set(config, limit);
  }
  return limit;
}
