import type { Context } from "hono";
import type { AppEnv } from "../http/app-env.ts";
import { AppError } from "../http/errors.ts";

const safeMethods = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * A browser attaches the session cookie to cross-site requests too, so an unsafe method
 * authenticated by the cookie must prove it comes from this site: `Sec-Fetch-Site: same-origin`,
 * or an `Origin` equal to this server's origin or one of CORS_ORIGINS. Without either header it
 * is refused. API keys and bearer tokens are never attached by a browser on its own: unaffected.
 */
export function enforceSameOrigin(c: Context<AppEnv>): void {
  if (safeMethods.has(c.req.method)) return;
  if (c.req.header("sec-fetch-site") === "same-origin") return;
  const origin = c.req.header("origin");
  if (origin !== undefined && (isOwnOrigin(c, origin) || c.get("services").config.CORS_ORIGINS.includes(origin))) return;
  throw new AppError("forbidden", "Cross-site request refused: a request signed in by cookie must come from this site", {
    details: { reason: "csrf" },
  });
}

// By host: behind a TLS-terminating proxy the request URL says http while the Origin says https.
function isOwnOrigin(c: Context<AppEnv>, origin: string): boolean {
  if (!URL.canParse(origin)) return false;
  const host = c.req.header("host") ?? new URL(c.req.url).host;
  return new URL(origin).host === host;
}
