import type { Hono } from "hono";
import { isEndpoint } from "./endpoint-route.ts";

/**
 * Builds a lookup of the methods registered for a path, to tell 405 from 404. Paths match
 * exactly as the router does (strict: `/api/health/` is not `/api/health`), so a path no
 * route serves is a 404 whatever the method.
 */
export function allowedMethodsFor(app: Hono<never>): (path: string) => string[] {
  let table: { pattern: RegExp; method: string }[] | null = null;
  return (path) => {
    // Built lazily: routes are all registered by the first unmatched request.
    table ??= app.routes.filter(isEndpoint).map((route) => ({
      method: route.method,
      pattern: new RegExp(
        `^${route.path
          .split("/")
          .map((part) => (part.startsWith(":") ? "[^/]+" : part === "*" ? ".*" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
          .join("/")}$`,
      ),
    }));
    const methods = new Set(table.filter((route) => route.pattern.test(path)).map((route) => route.method));
    if (methods.has("GET")) methods.add("HEAD");
    return [...methods].sort();
  };
}
