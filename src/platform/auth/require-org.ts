import type { Context } from "hono";
import type { AppEnv } from "../http/app-env.ts";
import { AppError } from "../http/errors.ts";
import { canAccessOrg, type Principal } from "./principal.ts";

/** The principal `requireAuth` set; a route without the guard is a programming error. */
export function principalOf(c: Context<AppEnv>): Principal {
  const principal = c.get("principal");
  if (!principal) throw new Error("route reads the principal but is not behind requireAuth");
  return principal;
}

/**
 * Checks that the caller may act on `orgId`. Collections answer 403 (the caller named an
 * org it cannot use); single objects pass `hideAs: "not_found"` so another org's object
 * gets the same 404 as one that does not exist.
 */
export function requireOrg(c: Context<AppEnv>, orgId: string, options: { hideAs?: "not_found"; notFoundMessage?: string } = {}): Principal {
  const principal = principalOf(c);
  if (canAccessOrg(principal, orgId)) return principal;
  if (options.hideAs === "not_found") throw new AppError("not_found", options.notFoundMessage ?? "Not found");
  throw new AppError("forbidden", `This API key cannot access org ${orgId}`);
}
