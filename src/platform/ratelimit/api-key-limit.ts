import type { Context } from "hono";
import type { Principal } from "../auth/principal.ts";
import type { AppEnv } from "../http/app-env.ts";
import { enforceRateLimits } from "./rate-limit.ts";

export interface KeyRateLimit {
  perSecond: number;
  burst: number;
}

/**
 * Counts a request by an API key against its own limit (set on the key), else the deployment
 * default API_KEY_RATE_LIMIT, else nothing. `burst` requests per `burst / perSecond` seconds:
 * a client may spend a burst at once, and sustains `perSecond` on average.
 */
export async function limitApiKey(c: Context<AppEnv>, principal: Principal): Promise<void> {
  if (principal.kind !== "api_key") return;
  const limit = principal.rateLimit ?? c.get("services").config.API_KEY_RATE_LIMIT ?? null;
  if (!limit) return;
  const window = Math.max(1, Math.ceil(limit.burst / limit.perSecond));
  await enforceRateLimits(c, [{ name: "api-key", by: "principal", points: limit.burst, duration: window }]);
}
