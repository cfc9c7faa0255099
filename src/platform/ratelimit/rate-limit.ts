import { createHmac } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { RateLimiterRes } from "rate-limiter-flexible";
import { subkey } from "../auth/key-digest.ts";
import type { AppEnv } from "../http/app-env.ts";
import { clientIpOf } from "../http/client-ip.ts";
import { AppError } from "../http/errors.ts";
import { rateLimitStoreFor } from "./rate-limit-store.ts";

export type RateLimitSubject = "ip" | "email" | "principal";

export interface RateLimitOptions {
  /** The policy's name in the RateLimit headers and the counters' key prefix, e.g. `otp-request-email`. */
  name: string;
  /** What is counted: the client IP, the `email` field of the JSON body, or the authenticated principal. */
  by: RateLimitSubject;
  /** Requests allowed per window. */
  points: number;
  /** Window length in seconds. */
  duration: number;
}

const digestKeys = new WeakMap<object, ReturnType<typeof subkey>>();

/** Counter keys are keyed digests: neither the table nor Redis holds an email or an IP. */
function subjectDigest(c: Context<AppEnv>, subject: string): string {
  const config = c.get("services").config;
  let key = digestKeys.get(config);
  if (!key) {
    key = subkey(config.BACKPLANE_SECRET, "rate-limit");
    digestKeys.set(config, key);
  }
  return createHmac("sha256", key).update(subject).digest("base64url").slice(0, 32);
}

/** Subjects the caller already knows (a tRPC procedure's parsed input), instead of reading them from the request. */
export type KnownSubjects = Partial<Record<RateLimitSubject, string>>;

async function subjectOf(c: Context<AppEnv>, by: RateLimitSubject, known: KnownSubjects): Promise<string | null> {
  const given = known[by];
  if (given !== undefined) return by === "email" ? `email:${given.trim().toLowerCase()}` : `${by}:${given}`;
  if (by === "ip") return `ip:${clientIpOf(c, c.get("services").config.TRUST_PROXY_HOPS) ?? "unknown"}`;
  if (by === "principal") {
    const principal = c.get("principal");
    return principal ? `${principal.kind}:${principal.id}` : null;
  }
  // The body is parsed once and cached by Hono, so the route's validator reads it again for free.
  const body: unknown = await c.req.json().catch(() => null);
  const email = body && typeof body === "object" ? (body as { email?: unknown }).email : undefined;
  return typeof email === "string" && email.trim() !== "" ? `email:${email.trim().toLowerCase()}` : null;
}

function quoted(name: string): string {
  return `"${name.replace(/["\\]/g, "")}"`;
}

/**
 * Route middleware: counts each request against every limit given (shared across instances:
 * see rate-limit-store.ts) and answers 429 `rate_limited` with `Retry-After` once any is spent.
 * Every answer carries the IETF `RateLimit-Policy` (all limits) and `RateLimit` (the closest
 * one: remaining `r`, seconds to reset `t`) headers. A request without the subject (no email in
 * the body, no principal) is not counted here; validation or auth answers it.
 */
export function rateLimit(...limits: RateLimitOptions[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await enforceRateLimits(c, limits);
    return next();
  };
}

/** The counting behind `rateLimit`, for limits known only per request (an API key's own). */
export async function enforceRateLimits(c: Context<AppEnv>, limits: RateLimitOptions[], known: KnownSubjects = {}): Promise<void> {
  if (!c.get("services").config.RATE_LIMITS_ENABLED) return;
  const policyHeader = limits.map((limit) => `${quoted(limit.name)};q=${limit.points};w=${limit.duration}`).join(", ");
  const store = rateLimitStoreFor(c.get("services"));
  const outcomes = await Promise.all(
    limits.map(async (limit) => {
      const subject = await subjectOf(c, limit.by, known);
      if (subject === null) return null;
      const limiter = await store.limiter({ name: limit.name, points: limit.points, durationSeconds: limit.duration });
      try {
        return { limit, res: await limiter.consume(subjectDigest(c, `${limit.name}:${subject}`)), exceeded: false };
      } catch (error) {
        if (error instanceof RateLimiterRes) return { limit, res: error, exceeded: true };
        throw error;
      }
    }),
  );
  const counted = outcomes.filter((outcome) => outcome !== null);
  if (counted.length === 0) return;
  const closest = counted.reduce((a, b) => (b.res.remainingPoints < a.res.remainingPoints || (b.exceeded && !a.exceeded) ? b : a));
  const resetSeconds = Math.max(1, Math.ceil(closest.res.msBeforeNext / 1000));
  c.header("RateLimit-Policy", policyHeader);
  c.header("RateLimit", `${quoted(closest.limit.name)};r=${closest.res.remainingPoints};t=${resetSeconds}`);
  const exceeded = counted.filter((outcome) => outcome.exceeded);
  if (exceeded.length > 0) {
    const retryAfter = Math.max(...exceeded.map((outcome) => Math.max(1, Math.ceil(outcome.res.msBeforeNext / 1000))));
    throw new AppError("rate_limited", `Too many requests; retry in ${retryAfter} s`, {
      details: { policy: exceeded[0]?.limit.name, retryAfterSeconds: retryAfter },
      headers: { "Retry-After": String(retryAfter) },
    });
  }
}
