/**
 * True for a route that answers requests, false for middleware: middleware is registered on every
 * path (`/*`), for all methods (`app.use`) or for the methods that carry a body (`app.on`).
 */
export function isEndpoint(route: { method: string; path: string }): boolean {
  return route.method !== "ALL" && route.path !== "/*";
}
