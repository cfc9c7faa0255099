import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../http/app-env.ts";
import { AppError } from "../http/errors.ts";

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * Vercel Cron's credential: `Authorization: Bearer $CRON_SECRET`, compared in constant time
 * (digests first, so lengths do not leak). Without CRON_SECRET configured, nobody passes: the
 * worker's schedules still run the same ticks.
 */
export function requireCronSecret(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const secret = c.get("services").config.CRON_SECRET;
    const presented = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(c.req.header("authorization") ?? "")?.[1];
    if (secret === undefined || presented === undefined || !timingSafeEqual(digest(presented), digest(secret))) {
      throw new AppError(
        "unauthorized",
        secret === undefined ? "CRON_SECRET is not configured here" : "Send Authorization: Bearer <CRON_SECRET>",
        {
          headers: { "WWW-Authenticate": 'Bearer realm="cron"' },
        },
      );
    }
    await next();
  };
}
