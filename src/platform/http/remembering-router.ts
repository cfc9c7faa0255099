import type { Params, Result, Router } from "hono/router";
import { TrieRouter } from "hono/router/trie-router";
import { isEndpoint } from "./endpoint-route.ts";

export interface Fusing<H> {
  /** A middleware registered first on every path. */
  leading: H;
  /** The same work done synchronously before `next`, as one handler. */
  into(next: H): H;
}

/**
 * Hono's TrieRouter, remembering its answer for the paths of routes without parameters (e.g.
 * `GET /api/health`), which then cost one map lookup instead of a walk of the trie through the
 * app's ~240 routes. Hono's faster RegExpRouter refuses this app (a static segment beside a
 * parameter: `/api/integrations/suggestions/:id/dismiss`, `/api/integrations/:id/connect`), so its
 * default SmartRouter falls back to the trie on every request anyway.
 *
 * Only answers that include such a route are kept, so what is remembered is bounded by the routes
 * (no entry per unknown path or per id); an answer with a parameter anywhere in it is not kept.
 *
 * With `fusing`, a leading middleware that does all its work before `next` (the request context
 * under `listen()`) is answered as one handler with the one after it. Hono runs a lone matched
 * handler directly, and a synchronous one's Response reaches @hono/node-server synchronously;
 * two or more go through its composed, promise-based chain, and the adapter's promise path.
 */
export class RememberingRouter<H, R> implements Router<[H, R]> {
  name = "TrieRouter (remembering static paths)";
  #trie = new TrieRouter<[H, R]>();
  #staticEndpoints = new Set<[H, R]>();
  #known = new Map<string, Map<string, Result<[H, R]>>>();
  #matched = false;
  #fusing: Fusing<H> | undefined;
  /** One fused handler per handler that follows the leading one (bounded by the routes). */
  #fused = new Map<H, H>();

  constructor(options: { fusing?: Fusing<H> } = {}) {
    this.#fusing = options.fusing;
  }

  add(method: string, path: string, handler: [H, R]): void {
    // As Hono's own routers do: the 405 table (method-not-allowed.ts) is built from the routes at
    // the first unmatched request, so a route added after requests began would be served but
    // missing from it. Routes are all registered at boot; a late one is a bug, said loudly.
    if (this.#matched) throw new Error("Can not add a route since the matcher is already built.");
    this.#trie.add(method, path, handler);
    if (isEndpoint({ method, path }) && !/[:*]/.test(path)) this.#staticEndpoints.add(handler);
  }

  match(method: string, path: string): Result<[H, R]> {
    this.#matched = true;
    const known = this.#known.get(method)?.get(path);
    if (known) return known;
    const found = this.#trie.match(method, path);
    const result = this.#fuse(found);
    const matches = found[0] as [[H, R], Params][];
    if (matches.some(([handler]) => this.#staticEndpoints.has(handler)) && matches.every(([, params]) => isEmpty(params))) {
      const byPath = this.#known.get(method) ?? new Map<string, Result<[H, R]>>();
      this.#known.set(method, byPath.set(path, result));
    }
    return result;
  }

  #fuse(result: Result<[H, R]>): Result<[H, R]> {
    const matches = result[0] as [[H, R], Params][];
    const [first, second] = matches;
    if (!this.#fusing || first?.[0][0] !== this.#fusing.leading || !second) return result;
    const [[next, route], params] = second;
    let fused = this.#fused.get(next);
    if (!fused) {
      fused = this.#fusing.into(next);
      this.#fused.set(next, fused);
    }
    return [[[[fused, route], params], ...matches.slice(2)]];
  }
}

function isEmpty(params: Params): boolean {
  for (const _ in params) return false;
  return true;
}
