import type { Params, Result, Router } from "hono/router";
import { TrieRouter } from "hono/router/trie-router";
import { isEndpoint } from "./endpoint-route.ts";

/**
 * Hono's TrieRouter, remembering its answer for the paths of routes without parameters (e.g.
 * `GET /api/health`), which then cost one map lookup instead of a walk of the trie through the
 * app's ~240 routes. Hono's faster RegExpRouter refuses this app (a static segment beside a
 * parameter: `/api/integrations/suggestions/:id/dismiss`, `/api/integrations/:id/connect`), so its
 * default SmartRouter falls back to the trie on every request anyway.
 *
 * Only answers that include such a route are kept, so what is remembered is bounded by the routes
 * (no entry per unknown path or per id); an answer with a parameter anywhere in it is not kept.
 */
export class RememberingRouter<T> implements Router<T> {
  name = "TrieRouter (remembering static paths)";
  #trie = new TrieRouter<T>();
  #staticEndpoints = new Set<T>();
  #known = new Map<string, Map<string, Result<T>>>();
  #matched = false;

  add(method: string, path: string, handler: T): void {
    // As Hono's own routers do: the 405 table (method-not-allowed.ts) is built from the routes at
    // the first unmatched request, so a route added after requests began would be served but
    // missing from it. Routes are all registered at boot; a late one is a bug, said loudly.
    if (this.#matched) throw new Error("Can not add a route since the matcher is already built.");
    this.#trie.add(method, path, handler);
    if (isEndpoint({ method, path }) && !/[:*]/.test(path)) this.#staticEndpoints.add(handler);
  }

  match(method: string, path: string): Result<T> {
    this.#matched = true;
    const known = this.#known.get(method)?.get(path);
    if (known) return known;
    const result = this.#trie.match(method, path);
    const matches = result[0] as [T, Params][];
    if (matches.some(([handler]) => this.#staticEndpoints.has(handler)) && matches.every(([, params]) => isEmpty(params))) {
      const byPath = this.#known.get(method) ?? new Map<string, Result<T>>();
      this.#known.set(method, byPath.set(path, result));
    }
    return result;
  }
}

function isEmpty(params: Params): boolean {
  for (const _ in params) return false;
  return true;
}
