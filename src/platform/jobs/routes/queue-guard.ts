import type { Context } from "hono";
import { requireAuth } from "../../auth/require-auth.ts";
import { principalOf } from "../../auth/require-org.ts";
import type { AppEnv } from "../../http/app-env.ts";
import { AppError } from "../../http/errors.ts";

/** The one place the queue routes meet authentication: API-key scopes `queue:read` / `queue:manage`. */
export const queueGuard = (scope: "queue:read" | "queue:manage") => requireAuth({ scopes: [scope] });

/**
 * The queue is shared by every org (dead letters hold their payloads, metrics count their jobs),
 * so the queue routes take a platform-wide key (one bound to no org); an org-bound key gets 403
 * even with the scope.
 */
export function requirePlatformKey(c: Context<AppEnv>): void {
  if (principalOf(c).orgId !== null) throw new AppError("forbidden", "The queue spans every org: use a platform-wide API key");
}
